package dev.folio.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;

/**
 * The batched decoding step written with the DJL blocks' own layers, op by op: the readable reference for
 * {@link ScriptedInference#decode} (what serves), kept with the tests that hold the two together. Sequence b sits in
 * slot b of the cache, is fed {@code tokens[b]} at {@code positions[b]}, and has its key and value written there.
 */
public final class BlocksDecode {

    private BlocksDecode() {}

    /** @return logits (B,V); every temporary in {@code step} */
    public static NDArray decode(Gpt gpt, ParameterStore ps, NDManager step, int[] tokens, int[] positions, SlotKvCache cache) {
        GptConfig config = gpt.config();
        int batch = tokens.length;
        if (positions.length != batch || batch > cache.slots()) {
            throw new IllegalArgumentException(batch + " tokens, " + positions.length + " positions, " + cache.slots() + " slots");
        }
        int span = 0;
        boolean aligned = true; // every row at the same position: each sees the whole span, no mask needed
        for (int position : positions) {
            if (position < 0 || position >= config.blockSize()) {
                throw new IllegalArgumentException("position " + position + " is outside the context window of " + config.blockSize());
            }
            span = Math.max(span, position + 1);
            aligned &= position == positions[0];
        }
        cache.ensure(batch, span);
        NDArray tokenIds = step.create(tokens, new Shape(batch, 1)); // (B,1)
        NDArray positionIds = step.create(positions); // (B)
        NDArray wte = ps.getValue(gpt.tokenEmbedding(), tokenIds.getDevice(), false); // (V,C)
        NDArray wpe = ps.getValue(gpt.positionEmbedding(), tokenIds.getDevice(), false); // (blockSize,C)
        NDArray x = Embedding.embedding(tokenIds, wte, SparseFormat.DENSE).singletonOrThrow() // (B,1,C)
                .add(Embedding.embedding(positionIds.reshape(batch, 1), wpe, SparseFormat.DENSE).singletonOrThrow());
        NDArray mask = aligned ? null : step.arange(0, span).reshape(1, span).gt(positionIds.reshape(batch, 1)) // (B,span): key after the query
                .toType(DataType.FLOAT32, false).mul(Gpt.MASKED).reshape(batch, 1, 1, span);
        NDIndex writeAt = new NDIndex("{}, :, :, {}", step.arange(0, batch), positionIds);
        NDIndex readSpan = new NDIndex(":{}, :, :, :{}", batch, span);
        for (int i = 0; i < gpt.layers().size(); i++) {
            TransformerBlock layer = gpt.layers().get(i);
            NDArray normed = layer.ln1().forward(ps, new NDList(x), false).singletonOrThrow();
            x = x.add(attend(layer.attention(), config, ps, normed, mask, cache, i, writeAt, readSpan));
            normed = layer.ln2().forward(ps, new NDList(x), false).singletonOrThrow();
            x = x.add(layer.mlp().forward(ps, new NDList(normed), false).singletonOrThrow());
        }
        x = gpt.finalNorm().forward(ps, new NDList(x), false).singletonOrThrow();
        return Linear.linear(x, wte).singletonOrThrow().reshape(batch, config.vocabSize());
    }

    /**
     * One layer's attention for the step: writes each new key and value at {@code writeAt} (slot b, position of b),
     * attends over the first {@code readSpan} positions under {@code mask} (null: every row may see the whole span).
     * (B,1,C) normalised → (B,1,C).
     */
    private static NDArray attend(CausalSelfAttention attention, GptConfig config, ParameterStore ps, NDArray x, NDArray mask, SlotKvCache cache,
            int layer, NDIndex writeAt, NDIndex readSpan) {
        NDManager step = x.getManager();
        long batch = x.getShape().get(0);
        int heads = config.nHead();
        int headDim = config.headDim();
        NDArray qkv = attention.qkvProjection().forward(ps, new NDList(x), false).singletonOrThrow(); // (B,1,3C)
        NDArray q = qkv.reshape(batch, 3, heads, 1, headDim).get(":, 0").mul(1.0 / Math.sqrt(headDim)); // (B,H,1,hd)
        NDArray keysAndValues = cache.keysAndValues(layer);
        keysAndValues.set(writeAt, qkv.reshape(batch, 3, heads, headDim).get(":, 1:").transpose(0, 2, 1, 3)); // (B,H,2,hd) into (slot, :, :, position)
        NDArray span = keysAndValues.get(step, readSpan); // (B,H,2,span,hd), a view
        NDArray scores = q.matMul(span.get(":, :, 0").transpose(0, 1, 3, 2)); // (B,H,1,span)
        if (mask != null) {
            scores = scores.add(mask);
        }
        NDArray y = scores.softmax(-1).matMul(span.get(":, :, 1")) // (B,H,1,hd)
                .reshape(batch, 1, config.nEmbd()); // (B,1,C): T=1, so no transpose
        return attention.outputProjection().forward(ps, new NDList(y), false).singletonOrThrow();
    }
}
