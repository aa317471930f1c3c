package dev.folio.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** nanoGPT's MLP: Linear(4C) → GELU → Linear(C) → dropout. Input and output (B,T,C). */
public final class FeedForward extends AbstractBlock {

    private final Linear expand;
    private final Linear outputProjection;
    private final Dropout dropout;

    public FeedForward(GptConfig config) {
        this.expand = addChildBlock("c_fc", Linear.builder().setUnits(4L * config.nEmbd()).optBias(config.bias()).build());
        this.outputProjection = addChildBlock("c_proj", Linear.builder().setUnits(config.nEmbd()).optBias(config.bias()).build());
        this.dropout = addChildBlock("dropout", Dropout.builder().optRate(config.dropout()).build());
    }

    /** The projection that writes into the residual stream; nanoGPT scales its initialisation. */
    Linear outputProjection() {
        return outputProjection;
    }

    Linear expand() {
        return expand;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray hidden = expand.forward(ps, inputs, training).singletonOrThrow(); // (B,T,4C)
        hidden = Activation.gelu(hidden); // exact (erf) GELU, as torch.nn.GELU()
        NDList out = outputProjection.forward(ps, new NDList(hidden), training); // (B,T,C)
        return dropout.forward(ps, out, training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        expand.initialize(manager, dataType, x);
        outputProjection.initialize(manager, dataType, x.slice(0, x.dimension() - 1).add(4L * x.get(x.dimension() - 1)));
        dropout.initialize(manager, dataType, x);
    }
}
