package dev.folio.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * nanoGPT's GPT as a DJL Block: token + learned position embeddings → dropout → nLayer ×
 * {@link TransformerBlock} → final LayerNorm → vocabulary logits through the token embedding
 * (weight tying: one tensor, saved once).
 *
 * <p>Inputs: {@code [tokens (B,T)]}, or {@code [tokens, k0, v0, k1, v1, ...]} with the cached keys and
 * values of positions [0, P) for each layer. Outputs: {@code [logits (B,T,V), k0', v0', ...]} with the
 * caches extended to [0, P+T). {@link #forward(ParameterStore, NDArray, KvCache)} is the typed door.
 */
public final class Gpt extends AbstractBlock {

    private static final float INIT_STD = 0.02f;
    /** Additive mask value; exp() of it is exactly 0 in float32, and unlike -inf it never makes NaN. */
    static final float MASKED = -1e9f;

    private final GptConfig config;
    private final Parameter tokenEmbedding;
    private final Parameter positionEmbedding;
    private final Dropout embeddingDropout;
    private final List<TransformerBlock> layers = new ArrayList<>();
    private final LayerNorm finalNorm;

    public Gpt(GptConfig config) {
        this.config = config;
        this.tokenEmbedding = addParameter(Parameter.builder().setName("wte").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(config.vocabSize(), config.nEmbd())).build());
        this.positionEmbedding = addParameter(Parameter.builder().setName("wpe").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(config.blockSize(), config.nEmbd())).build());
        this.embeddingDropout = addChildBlock("drop", Dropout.builder().optRate(config.dropout()).build());
        for (int i = 0; i < config.nLayer(); i++) {
            layers.add(addChildBlock("h" + i, new TransformerBlock(config)));
        }
        this.finalNorm = addChildBlock("ln_f", TransformerBlock.layerNorm(config));
        applyNanoGptInitialisation();
    }

    /** N(0, 0.02) weights, residual projections N(0, 0.02/sqrt(2·nLayer)); biases 0, LayerNorm 1/0 (DJL's defaults). */
    private void applyNanoGptInitialisation() {
        setInitializer(new NormalInitializer(INIT_STD), Parameter.Type.WEIGHT);
        NormalInitializer residual = new NormalInitializer((float) (INIT_STD / Math.sqrt(2.0 * config.nLayer())));
        for (TransformerBlock layer : layers) {
            layer.attention().outputProjection().setInitializer(residual, Parameter.Type.WEIGHT);
            layer.mlp().outputProjection().setInitializer(residual, Parameter.Type.WEIGHT);
        }
    }

    public GptConfig config() {
        return config;
    }

    /**
     * The arrays {@link ScriptedInference} and {@link ScriptedTrainingForward} read, in their scripts' one order (also what
     * dev.folio.inspect evaluates step by step). The model's own arrays: read them, never write them.
     */
    public GptWeights weights() {
        return GptWeights.of(this);
    }

    /** Initialises fresh weights (for training from scratch). */
    public void initialize(NDManager manager) {
        initialize(manager, DataType.FLOAT32, new Shape(1, config.blockSize()));
    }

    /** Logits for every position of a batch of sequences, no cache: (B,T) → (B,T,V). */
    public NDArray logits(ParameterStore ps, NDArray tokens, boolean training) {
        return forward(ps, new NDList(tokens), training).get(0);
    }

    /**
     * {@link #logits} in one TorchScript call ({@link ScriptedTrainingForward}): the same arithmetic and the same
     * dropout draws, differentiable, without a JNI crossing and a Java wrapper per op. What training runs.
     */
    public NDArray scriptedLogits(NDArray tokens, boolean training) {
        return ScriptedTrainingForward.logits(this, tokens, training);
    }

    /**
     * Incremental decoding: logits for new tokens at positions [P, P+T) given the cache of [0, P),
     * and the cache extended to [0, P+T). Inference only (no dropout).
     */
    public Step forward(ParameterStore ps, NDArray tokens, KvCache cache) {
        NDList inputs = new NDList(tokens);
        inputs.addAll(cache.arrays());
        NDList outputs = forward(ps, inputs, false);
        return new Step(outputs.get(0), KvCache.of(outputs.subNDList(1)));
    }

    /** One incremental forward pass: the logits (B,T,V) and the extended cache. */
    public record Step(NDArray logits, KvCache cache) {}

    /** The token embedding (V,C), also the output head (weight tying). */
    Parameter tokenEmbedding() {
        return tokenEmbedding;
    }

    /** The learned position embedding (blockSize,C). */
    Parameter positionEmbedding() {
        return positionEmbedding;
    }

    List<TransformerBlock> layers() {
        return layers;
    }

    LayerNorm finalNorm() {
        return finalNorm;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray tokens = inputs.get(0); // (B,T)
        NDManager manager = tokens.getManager();
        int time = Math.toIntExact(tokens.getShape().get(1));
        int past = inputs.size() > 1 ? Math.toIntExact(inputs.get(1).getShape().get(2)) : 0;
        if (past + time > config.blockSize()) {
            throw new IllegalArgumentException("sequence of " + (past + time) + " positions exceeds the context window of " + config.blockSize());
        }

        NDArray wte = ps.getValue(tokenEmbedding, tokens.getDevice(), training); // (V,C)
        NDArray wpe = ps.getValue(positionEmbedding, tokens.getDevice(), training); // (blockSize,C)
        NDArray positions = manager.arange(past, past + time); // (T)
        NDArray tok = Embedding.embedding(tokens, wte, SparseFormat.DENSE).singletonOrThrow(); // (B,T,C)
        NDArray pos = Embedding.embedding(positions, wpe, SparseFormat.DENSE).singletonOrThrow(); // (T,C)
        NDArray x = embeddingDropout.forward(ps, new NDList(tok.add(pos)), training).singletonOrThrow(); // (B,T,C)

        NDArray mask = causalMask(manager, past, time); // (T,P+T)
        NDList caches = new NDList(2 * layers.size());
        for (int i = 0; i < layers.size(); i++) {
            NDList layerInputs = new NDList(x, mask);
            if (past > 0) {
                layerInputs.add(inputs.get(1 + 2 * i));
                layerInputs.add(inputs.get(2 + 2 * i));
            }
            NDList out = layers.get(i).forward(ps, layerInputs, training); // [(B,T,C), keys, values]
            x = out.get(0);
            caches.add(out.get(1));
            caches.add(out.get(2));
        }
        x = finalNorm.forward(ps, new NDList(x), training).singletonOrThrow(); // (B,T,C)
        NDArray logits = Linear.linear(x, wte).singletonOrThrow(); // (B,T,V), tied to the token embedding

        NDList outputs = new NDList(logits);
        outputs.addAll(caches);
        return outputs;
    }

    /** 0 where query position p+t may see key position s (s ≤ p+t), a large negative number elsewhere. */
    static NDArray causalMask(NDManager manager, int past, int time) {
        NDArray queryPositions = manager.arange(past, past + time).reshape(time, 1); // (T,1)
        NDArray keyPositions = manager.arange(0, past + time).reshape(1, past + time); // (1,P+T)
        return keyPositions.gt(queryPositions).toType(DataType.FLOAT32, false).mul(MASKED); // (T,P+T)
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape tokens = inputShapes[0];
        long past = inputShapes.length > 1 ? inputShapes[1].get(2) : 0;
        Shape cache = new Shape(tokens.get(0), config.nHead(), past + tokens.get(1), config.headDim());
        Shape[] shapes = new Shape[1 + 2 * layers.size()];
        shapes[0] = new Shape(tokens.get(0), tokens.get(1), config.vocabSize());
        for (int i = 1; i < shapes.length; i++) {
            shapes[i] = cache;
        }
        return shapes;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape tokens = inputShapes[0];
        Shape x = new Shape(tokens.get(0), tokens.get(1), config.nEmbd());
        Shape mask = new Shape(tokens.get(1), tokens.get(1));
        embeddingDropout.initialize(manager, dataType, x);
        for (TransformerBlock layer : layers) {
            layer.initialize(manager, dataType, x, mask);
        }
        finalNorm.initialize(manager, dataType, x);
    }
}
