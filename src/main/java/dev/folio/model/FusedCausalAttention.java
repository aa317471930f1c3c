package dev.folio.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import dev.folio.engine.TorchScript;

/**
 * libtorch's fused causal attention ({@code scaled_dot_product_attention} with {@code is_causal}), which DJL has
 * no op for, reached through a one-line TorchScript program ({@code causal_attention.py}). One op where the
 * DJL blocks spell out scale, matrix product, mask, softmax, dropout and matrix product, forward and back:
 * what nanoGPT's attention uses. For sequences that start at position 0 (training, a whole prompt).
 */
final class FusedCausalAttention {

    /** Stateless, so one compiled program serves every model and thread for the life of the process. */
    private static final PtSymbolBlock PROGRAM =
            TorchScript.load(NDManager.newBaseManager(), FusedCausalAttention.class, "causal_attention.py", "CausalAttention");

    private FusedCausalAttention() {}

    /**
     * @param query (B,H,T,hd), not scaled
     * @param key (B,H,T,hd)
     * @param value (B,H,T,hd)
     * @param dropout rate on the attention weights (0 when not training)
     * @param training records the op for backward when gradients are on
     * @return (B,H,T,hd), in the query's manager
     */
    static NDArray attend(NDArray query, NDArray key, NDArray value, float dropout, boolean training) {
        TorchScript.usePlainInterpreter();
        NDList inputs = new NDList(query, key, value, query.getManager().create(dropout));
        return IValueUtils.forward(PROGRAM, inputs, training).singletonOrThrow();
    }
}
