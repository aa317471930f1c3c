package dev.folio.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import dev.folio.engine.TorchScript;

/**
 * {@link Gpt#logits} from position 0 as one TorchScript call ({@code training_forward.py}): the training step's
 * forward and the evaluations', differentiable (libtorch's autograd records the script's ops, so backward fills
 * the parameters' gradients as the blocks' forward does), in one JNI crossing instead of ~150.
 */
final class ScriptedTrainingForward {

    /** Stateless, so one compiled program serves every model and thread for the life of the process. */
    private static final PtSymbolBlock PROGRAM =
            TorchScript.load(NDManager.newBaseManager(), ScriptedTrainingForward.class, "training_forward.py", "TrainingForward");

    /** How DJL passes arrays to a TorchScript {@code List[Tensor]} argument: each element named so, in order. */
    private static final String LIST_ELEMENT = "weights[]";

    private ScriptedTrainingForward() {}

    /**
     * @param tokens (B,T), from position 0
     * @param training dropout on, and the ops recorded for backward
     * @return logits (B,T,V), in the tokens' manager
     */
    static NDArray logits(Gpt gpt, NDArray tokens, boolean training) {
        GptConfig config = gpt.config();
        if (tokens.getShape().dimension() != 2 || tokens.getShape().get(1) > config.blockSize()) {
            throw new IllegalArgumentException("tokens " + tokens.getShape() + " do not fit the context window of " + config.blockSize());
        }
        GptWeights weights = gpt.weights();
        NDManager manager = tokens.getManager();
        NDList inputs = new NDList(3 + weights.arrays().size());
        inputs.add(tokens);
        inputs.add(manager.create(training ? config.dropout() : 0f));
        inputs.add(manager.create(weights.shape()));
        for (NDArray weight : weights.arrays()) {
            // a view, not the parameter itself, carries the list name: the parameter keeps its own name
            NDArray view = weight.reshape(weight.getShape());
            view.attach(manager); // freed with the pass's arrays, not kept with the weights' for the model's life
            view.setName(LIST_ELEMENT);
            inputs.add(view);
        }
        TorchScript.usePlainInterpreter();
        return IValueUtils.forward(PROGRAM, inputs, training).singletonOrThrow();
    }
}
