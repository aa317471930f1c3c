package dev.folio.training;

import ai.djl.ndarray.NDArray;
import ai.djl.training.optimizer.AdamW;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;

/**
 * AdamW with weight decay on 2-D weights only (matrices and embeddings), none on biases and LayerNorm
 * gains, as nanoGPT's configure_optimizers does. DJL's AdamW decays every parameter alike, so this
 * routes each parameter to one of two DJL AdamW instances by its rank.
 */
public final class SelectiveWeightDecayAdamW extends Optimizer {

    private final AdamW decayed;
    private final AdamW undecayed;

    public SelectiveWeightDecayAdamW(Tracker learningRate, float beta1, float beta2, float weightDecay) {
        super(new NoOptions());
        this.decayed = adamW(learningRate, beta1, beta2, weightDecay);
        this.undecayed = adamW(learningRate, beta1, beta2, 0f);
    }

    private static AdamW adamW(Tracker learningRate, float beta1, float beta2, float weightDecay) {
        return Optimizer.adamW()
                .optLearningRateTracker(learningRate)
                .optBeta1(beta1)
                .optBeta2(beta2)
                .optEpsilon(1e-8f)
                .optWeightDecays(weightDecay)
                .build();
    }

    /** Updates the weight in place and zeroes its gradient (DJL's PyTorch adamUpdate does both). */
    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        (weight.getShape().dimension() >= 2 ? decayed : undecayed).update(parameterId, weight, grad);
    }

    private static final class NoOptions extends OptimizerBuilder<NoOptions> {
        @Override
        protected NoOptions self() {
            return this;
        }
    }
}
