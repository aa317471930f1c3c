package dev.folio.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Pre-norm transformer block: {@code x = x + attn(ln1(x)); x = x + mlp(ln2(x))}.
 *
 * <p>Same inputs and outputs as {@link CausalSelfAttention}: {@code [x, mask, (pastK, pastV)]} →
 * {@code [x, keys, values]}.
 */
public final class TransformerBlock extends AbstractBlock {

    private final LayerNorm ln1;
    private final CausalSelfAttention attention;
    private final LayerNorm ln2;
    private final FeedForward mlp;

    public TransformerBlock(GptConfig config) {
        this.ln1 = addChildBlock("ln_1", layerNorm(config));
        this.attention = addChildBlock("attn", new CausalSelfAttention(config));
        this.ln2 = addChildBlock("ln_2", layerNorm(config));
        this.mlp = addChildBlock("mlp", new FeedForward(config));
    }

    /** LayerNorm over the channel axis only; DJL's default would normalise over (T,C). */
    static LayerNorm layerNorm(GptConfig config) {
        return LayerNorm.builder().axis(2).optCenter(config.bias()).build();
    }

    LayerNorm ln1() {
        return ln1;
    }

    LayerNorm ln2() {
        return ln2;
    }

    CausalSelfAttention attention() {
        return attention;
    }

    FeedForward mlp() {
        return mlp;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0); // (B,T,C)
        NDList attentionInputs = new NDList(inputs);
        attentionInputs.set(0, ln1.forward(ps, new NDList(x), training).singletonOrThrow());
        NDList attended = attention.forward(ps, attentionInputs, training); // [(B,T,C), keys, values]
        x = x.add(attended.get(0));
        NDArray normed = ln2.forward(ps, new NDList(x), training).singletonOrThrow();
        x = x.add(mlp.forward(ps, new NDList(normed), training).singletonOrThrow()); // (B,T,C)
        return new NDList(x, attended.get(1), attended.get(2));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return attention.getOutputShapes(inputShapes);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        ln1.initialize(manager, dataType, x);
        attention.initialize(manager, dataType, inputShapes);
        ln2.initialize(manager, dataType, x);
        mlp.initialize(manager, dataType, x);
    }
}
