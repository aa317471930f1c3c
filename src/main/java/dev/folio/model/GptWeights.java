package dev.folio.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.norm.LayerNorm;
import java.util.ArrayList;
import java.util.List;

/**
 * A model's arrays in the one order both TorchScript programs read ({@code inference.py}, {@code training_forward.py}):
 * the token and position embeddings, the final LayerNorm's gain, then per layer the six {@link Part}s' weights; then,
 * only if the model has biases, the final LayerNorm's bias and per layer the six parts' biases. With {@link #shape()}
 * ({@code [layers, heads, 1 if biases follow else 0]}) it is the scripts' whole calling convention for the weights.
 * The arrays are the model's own, not copies.
 */
public final class GptWeights {

    /** A layer's arrays, in the order they are listed. */
    public enum Part { LN_1, C_ATTN, C_PROJ, LN_2, C_FC, MLP_C_PROJ }

    /** Arrays before the first layer's: wte, wpe, ln_f. */
    static final int HEAD = 3;

    private final GptConfig config;
    private final List<NDArray> arrays;

    private GptWeights(GptConfig config, List<NDArray> arrays) {
        this.config = config;
        this.arrays = List.copyOf(arrays);
    }

    static GptWeights of(Gpt gpt) {
        List<Block> parts = new ArrayList<>(List.of(gpt.finalNorm()));
        for (TransformerBlock layer : gpt.layers()) {
            parts.addAll(List.of(layer.ln1(), layer.attention().qkvProjection(), layer.attention().outputProjection(),
                    layer.ln2(), layer.mlp().expand(), layer.mlp().outputProjection()));
        }
        List<NDArray> arrays = new ArrayList<>(List.of(gpt.tokenEmbedding().getArray(), gpt.positionEmbedding().getArray()));
        for (Block part : parts) {
            arrays.add(part.getDirectParameters().get(part instanceof LayerNorm ? "gamma" : "weight").getArray());
        }
        if (gpt.config().bias()) {
            for (Block part : parts) {
                arrays.add(part.getDirectParameters().get(part instanceof LayerNorm ? "beta" : "bias").getArray());
            }
        }
        return new GptWeights(gpt.config(), arrays);
    }

    /** Every array, weights then biases. */
    public List<NDArray> arrays() {
        return arrays;
    }

    /** {@code [layers, heads, 1 if the biases follow the weights else 0]}. */
    public long[] shape() {
        return new long[] {config.nLayer(), config.nHead(), config.bias() ? 1 : 0};
    }

    /** Where layer {@code layer}'s {@code part} weight is in {@link #arrays()}. */
    public static int index(int layer, Part part) {
        return HEAD + Part.values().length * layer + part.ordinal();
    }

    /** Layer {@code layer}'s {@code part} weight (a LayerNorm's gain, a Linear's weight, (out, in)). */
    public NDArray weight(int layer, Part part) {
        return arrays.get(index(layer, part));
    }

    /** Layer {@code layer}'s {@code part} bias (a LayerNorm's beta), or null when the model has none. */
    public NDArray bias(int layer, Part part) {
        return config.bias() ? arrays.get(HEAD + Part.values().length * config.nLayer() + 1 + Part.values().length * layer + part.ordinal()) : null;
    }

    /** The token embedding (V,C), also the output head. */
    public NDArray tokenEmbedding() {
        return arrays.get(0);
    }

    /** The learned position embedding (blockSize,C). */
    public NDArray positionEmbedding() {
        return arrays.get(1);
    }

    /** The final LayerNorm's gain and bias (null without biases). */
    public NDArray finalNormGain() {
        return arrays.get(2);
    }

    public NDArray finalNormBias() {
        return config.bias() ? arrays.get(HEAD + Part.values().length * config.nLayer()) : null;
    }

    /** The weight matrices of the products, as {@code inference.py}'s {@code pack} reorders them: per layer c_attn, c_proj, c_fc, mlp c_proj; then wte. */
    public static int packedIndex(int layer, Part product) {
        int within = switch (product) {
            case C_ATTN -> 0;
            case C_PROJ -> 1;
            case C_FC -> 2;
            case MLP_C_PROJ -> 3;
            default -> throw new IllegalArgumentException(product + " is not a product");
        };
        return 4 * layer + within;
    }
}
