package dev.folio.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Multi-head causal self-attention with one fused query/key/value projection.
 *
 * <p>Inputs: {@code [x (B,T,C), mask (T,P+T)]} or, when decoding incrementally,
 * {@code [x, mask, pastKeys (B,H,P,hd), pastValues (B,H,P,hd)]}. Outputs:
 * {@code [y (B,T,C), keys (B,H,P+T,hd), values (B,H,P+T,hd)]}: the caller keeps the keys and
 * values, so the block itself holds no per-sequence state.
 */
public final class CausalSelfAttention extends AbstractBlock {

    private final GptConfig config;
    private final Linear qkvProjection;
    private final Linear outputProjection;
    private final Dropout attentionDropout;
    private final Dropout residualDropout;

    public CausalSelfAttention(GptConfig config) {
        this.config = config;
        this.qkvProjection = addChildBlock("c_attn", Linear.builder().setUnits(3L * config.nEmbd()).optBias(config.bias()).build());
        this.outputProjection = addChildBlock("c_proj", Linear.builder().setUnits(config.nEmbd()).optBias(config.bias()).build());
        this.attentionDropout = addChildBlock("attn_dropout", Dropout.builder().optRate(config.dropout()).build());
        this.residualDropout = addChildBlock("resid_dropout", Dropout.builder().optRate(config.dropout()).build());
    }

    /** The projection that writes into the residual stream; nanoGPT scales its initialisation. */
    Linear outputProjection() {
        return outputProjection;
    }

    Linear qkvProjection() {
        return qkvProjection;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray mask = inputs.get(1);
        long batch = x.getShape().get(0);
        long time = x.getShape().get(1);
        int heads = config.nHead();
        int headDim = config.headDim();

        NDArray qkv = qkvProjection.forward(ps, new NDList(x), training).singletonOrThrow(); // (B,T,3C)
        NDList split = qkv.reshape(batch, time, 3, heads, headDim).transpose(2, 0, 3, 1, 4).split(3, 0); // 3 × (1,B,H,T,hd)
        NDArray q = split.get(0).squeeze(0); // (B,H,T,hd)
        NDArray k = split.get(1).squeeze(0);
        NDArray v = split.get(2).squeeze(0);
        NDArray attended;
        if (inputs.size() == 4) { // positions [P, P+T) after a cache: the blocks' own attention, under the given mask
            k = inputs.get(2).concat(k, 2); // (B,H,P+T,hd)
            v = inputs.get(3).concat(v, 2); // (B,H,P+T,hd)
            NDArray scores = q.mul(1.0 / Math.sqrt(headDim)).matMul(k.transpose(0, 1, 3, 2)).add(mask); // (B,H,T,P+T)
            NDArray weights = attentionDropout.forward(ps, new NDList(scores.softmax(-1)), training).singletonOrThrow();
            attended = weights.matMul(v); // (B,H,T,hd)
        } else { // from position 0: the mask is the causal one, and libtorch's fused attention applies it itself
            attended = FusedCausalAttention.attend(q, k, v, training ? config.dropout() : 0f, training);
        }
        NDArray y = attended // (B,H,T,hd)
                .transpose(0, 2, 1, 3) // (B,T,H,hd)
                .reshape(batch, time, config.nEmbd()); // (B,T,C)
        y = outputProjection.forward(ps, new NDList(y), training).singletonOrThrow(); // (B,T,C)
        y = residualDropout.forward(ps, new NDList(y), training).singletonOrThrow();
        return new NDList(y, k, v);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape x = inputShapes[0];
        long past = inputShapes.length == 4 ? inputShapes[2].get(2) : 0;
        Shape cache = new Shape(x.get(0), config.nHead(), past + x.get(1), config.headDim());
        return new Shape[] {x, cache, cache};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        qkvProjection.initialize(manager, dataType, x);
        outputProjection.initialize(manager, dataType, x);
        attentionDropout.initialize(manager, dataType, x);
        residualDropout.initialize(manager, dataType, x);
    }
}
