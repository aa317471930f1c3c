package dev.folio.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.loss.Loss;
import dev.folio.engine.GradMode;
import dev.folio.model.Gpt;
import java.util.Random;

/**
 * Mean cross-entropy of a model over a fixed set of batches of one split: the same seed gives the
 * same batches, so two evaluations (two steps, or two models) compare like with like.
 */
public final class Evaluator {

    private final BatchSampler sampler;
    private final int batchSize;
    private final int batches;
    private final long seed;
    private final Loss loss = Loss.softmaxCrossEntropyLoss();

    public Evaluator(BatchSampler sampler, int batchSize, int batches, long seed) {
        this.sampler = sampler;
        this.batchSize = batchSize;
        this.batches = batches;
        this.seed = seed;
    }

    public float meanLoss(Gpt gpt, NDManager parent) {
        Random random = new Random(seed);
        double total = 0;
        try (GradMode ignored = GradMode.disabled()) {
            for (int i = 0; i < batches; i++) {
                try (NDManager manager = parent.newSubManager()) {
                    NDList batch = sampler.sample(manager, random, batchSize);
                    total += crossEntropy(gpt, batch, false, loss).getFloat();
                }
            }
        }
        return (float) (total / batches);
    }

    /** Mean next-token cross-entropy of one batch [x, y]; logits flattened to (B·T, V) as DJL's loss needs. */
    static NDArray crossEntropy(Gpt gpt, NDList batch, boolean training, Loss loss) {
        NDArray logits = gpt.scriptedLogits(batch.get(0), training); // (B,T,V)
        NDArray flatLogits = logits.reshape(-1, gpt.config().vocabSize()); // (B·T,V)
        NDArray flatTargets = batch.get(1).reshape(-1); // (B·T)
        return loss.evaluate(new NDList(flatTargets), new NDList(flatLogits));
    }
}
