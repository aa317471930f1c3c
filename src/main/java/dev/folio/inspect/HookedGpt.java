package dev.folio.inspect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import dev.folio.model.Gpt;
import dev.folio.model.GptConfig;
import dev.folio.model.GptWeights;
import dev.folio.model.GptWeights.Part;

/**
 * The {@link Gpt}'s forward pass in evaluation mode (no dropout), one named step at a time, over the model's own
 * parameter arrays: nanoGPT's {@code model.py} with a {@link Hooks} call at each of TransformerLens's hook points. It
 * reads the weights and never writes them; what a hook changes lives in the caller's manager, for one pass. Its logits
 * are the blocks' ({@code Gpt.logits}), which the tests hold it to.
 *
 * <p>One text at a time, so the batch axis is dropped: activations are (pos, ...), as the hook names' table in
 * docs/inspect.md gives them.
 */
public final class HookedGpt {

    /** DJL's LayerNorm default, which the blocks use. */
    static final float LAYER_NORM_EPS = 1e-5f;
    /** The blocks' additive mask value: exp() of it is exactly 0 in float32. */
    public static final float MASKED = -1e9f;

    private final GptConfig config;
    private final GptWeights weights;

    public HookedGpt(Gpt gpt) {
        this.config = gpt.config();
        this.weights = gpt.weights();
    }

    public GptConfig config() {
        return config;
    }

    /** Logits (T,V) of {@code tokens}, from position 0, every intermediate passed through {@code hooks}. */
    public NDArray logits(NDManager manager, int[] tokens, Hooks hooks, WhatIfs whatIfs) {
        int time = tokens.length;
        if (time < 1 || time > config.blockSize()) {
            throw new IllegalArgumentException("a text of 1 to " + config.blockSize() + " tokens can be inspected; given " + time);
        }
        NDArray wte = weights.tokenEmbedding();
        NDArray tok = hooks.at("hook_embed", Embedding.embedding(manager.create(tokens), wte, SparseFormat.DENSE).singletonOrThrow()); // (T,C)
        NDArray pos = Embedding.embedding(manager.arange(0, time), weights.positionEmbedding(), SparseFormat.DENSE).singletonOrThrow();
        pos = hooks.at("hook_pos_embed", whatIfs.noPositions() ? pos.zerosLike() : pos); // (T,C)
        NDArray x = tok.add(pos);
        NDArray mask = causalMask(manager, time); // (T,T)
        for (int layer = 0; layer < config.nLayer(); layer++) {
            String block = "blocks." + layer;
            x = hooks.at(block + ".hook_resid_pre", x);
            NDArray attnIn = layerNorm(block + ".ln1", x, weights.weight(layer, Part.LN_1), weights.bias(layer, Part.LN_1), hooks, whatIfs);
            NDArray attnOut = hooks.at(block + ".hook_attn_out", attention(manager, layer, attnIn, mask, hooks, whatIfs));
            x = hooks.at(block + ".hook_resid_mid", x.add(attnOut));
            NDArray mlpIn = layerNorm(block + ".ln2", x, weights.weight(layer, Part.LN_2), weights.bias(layer, Part.LN_2), hooks, whatIfs);
            NDArray mlpOut = hooks.at(block + ".hook_mlp_out", mlp(layer, mlpIn, hooks));
            x = hooks.at(block + ".hook_resid_post", x.add(mlpOut));
        }
        NDArray last = layerNorm("ln_final", x, weights.finalNormGain(), weights.finalNormBias(), hooks, whatIfs);
        return hooks.at("logits", linear(last, wte, null)); // (T,V), tied to the token embedding
    }

    /** The logit lens: a residual stream (T,C) read through the final LayerNorm and the unembedding, (T,V). */
    public NDArray unembed(NDArray residual) {
        NDArray normed = layerNorm("ln_final", residual, weights.finalNormGain(), weights.finalNormBias(), Hooks.NONE, WhatIfs.NONE);
        return linear(normed, weights.tokenEmbedding(), null);
    }

    /** The token embedding (V,C) and the position embedding (blockSize,C): the model's own arrays, to read only. */
    public NDArray tokenEmbedding() {
        return weights.tokenEmbedding();
    }

    public NDArray positionEmbedding() {
        return weights.positionEmbedding();
    }

    /** Pre-norm LayerNorm over the channels, with its statistics named: mean, std, scale, normalized, out. */
    private static NDArray layerNorm(String name, NDArray x, NDArray gain, NDArray bias, Hooks hooks, WhatIfs whatIfs) {
        NDArray mean = hooks.at(name + ".hook_mean", x.mean(new int[] {-1})); // (T)
        NDArray centred = x.sub(mean.expandDims(-1));
        NDArray variance = centred.square().mean(new int[] {-1}); // population variance, as LayerNorm's
        hooks.at(name + ".hook_std", variance.sqrt());
        NDArray scale = hooks.at(name + ".hook_scale", variance.add(LAYER_NORM_EPS).sqrt()); // (T)
        NDArray normalized = hooks.at(name + ".hook_normalized", centred.div(scale.expandDims(-1))); // (T,C), before the gain
        NDArray out = normalized.mul(gain);
        if (bias != null) {
            out = out.add(bias);
        }
        return hooks.at(name + ".hook_out", whatIfs.skippedNorms().contains(name) ? x : out);
    }

    private NDArray attention(NDManager manager, int layer, NDArray x, NDArray mask, Hooks hooks, WhatIfs whatIfs) {
        String name = "blocks." + layer + ".attn";
        long time = x.getShape().get(0);
        int heads = config.nHead();
        int headDim = config.headDim();
        NDArray qkv = linear(x, weights.weight(layer, Part.C_ATTN), weights.bias(layer, Part.C_ATTN)).reshape(time, 3, heads, headDim);
        NDArray q = hooks.at(name + ".hook_q", qkv.get(":, 0")); // (T,H,hd)
        NDArray k = hooks.at(name + ".hook_k", qkv.get(":, 1"));
        NDArray v = hooks.at(name + ".hook_v", qkv.get(":, 2"));
        NDArray qk = hooks.at(name + ".hook_qk", q.transpose(1, 0, 2).matMul(k.transpose(1, 2, 0))); // (H,Tq,Tk)
        NDArray scores = whatIfs.unscaledLayers().contains(layer) ? qk : qk.mul(1.0 / Math.sqrt(headDim));
        if (!whatIfs.unmaskedLayers().contains(layer)) {
            scores = scores.add(mask);
        }
        scores = hooks.at(name + ".hook_attn_scores", scores);
        NDArray pattern = hooks.at(name + ".hook_pattern", scores.softmax(-1)); // rows sum to 1; no dropout in evaluation
        NDArray z = hooks.at(name + ".hook_z", pattern.matMul(v.transpose(1, 0, 2)).transpose(1, 0, 2)); // (T,H,hd)
        NDArray projection = weights.weight(layer, Part.C_PROJ); // (C, H·hd)
        NDArray bias = weights.bias(layer, Part.C_PROJ);
        if (!hooks.wants(name + ".hook_result")) {
            return linear(z.reshape(time, config.nEmbd()), projection, bias);
        }
        NDArray perHead = projection.reshape(config.nEmbd(), heads, headDim).transpose(1, 2, 0); // (H,hd,C): each head's slice
        perHead.attach(manager); // a view of the weights, made for this pass: freed with it
        NDArray result = hooks.at(name + ".hook_result", z.transpose(1, 0, 2).matMul(perHead).transpose(1, 0, 2)); // (T,H,C)
        NDArray out = result.sum(new int[] {1});
        return bias != null ? out.add(bias) : out;
    }

    private NDArray mlp(int layer, NDArray x, Hooks hooks) {
        String name = "blocks." + layer + ".mlp";
        NDArray pre = hooks.at(name + ".hook_pre", linear(x, weights.weight(layer, Part.C_FC), weights.bias(layer, Part.C_FC))); // (T,4C)
        NDArray post = hooks.at(name + ".hook_post", Activation.gelu(pre)); // exact (erf) GELU, as the blocks
        return linear(post, weights.weight(layer, Part.MLP_C_PROJ), weights.bias(layer, Part.MLP_C_PROJ)); // (T,C)
    }

    /** x·Wᵀ (+ b), in x's manager. */
    private static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        return (bias == null ? Linear.linear(x, weight) : Linear.linear(x, weight, bias)).singletonOrThrow();
    }

    /** 0 where a query may see a key (key ≤ query), {@link #MASKED} above the diagonal. */
    static NDArray causalMask(NDManager manager, int time) {
        NDArray queries = manager.arange(0, time).reshape(time, 1);
        NDArray keys = manager.arange(0, time).reshape(1, time);
        return keys.gt(queries).toType(DataType.FLOAT32, false).mul(MASKED);
    }
}
