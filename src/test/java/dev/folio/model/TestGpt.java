package dev.folio.model;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import ai.djl.training.ParameterStore;

/** A freshly initialised {@link Gpt} in its own DJL model, with a scratch manager, for block-level tests. */
final class TestGpt implements AutoCloseable {

    final Gpt gpt;
    final NDManager manager;
    private final Model model;

    TestGpt(GptConfig config, int seed) {
        Engine.getInstance().setRandomSeed(seed);
        model = Model.newInstance("test");
        gpt = new Gpt(config);
        model.setBlock(gpt);
        gpt.initialize(model.getNDManager());
        manager = model.getNDManager().newSubManager();
    }

    /**
     * nanoGPT initialises biases to 0, which would hide a bias a pass adds in the wrong place or not at all.
     * Only trained ones: a bias-free config's LayerNorms keep a frozen zero beta (DJL's optCenter(false)).
     */
    TestGpt withRandomBiases() {
        for (Pair<String, Parameter> parameter : gpt.getParameters()) {
            boolean bias = parameter.getKey().endsWith("bias") || parameter.getKey().endsWith("beta");
            if (bias && parameter.getValue().requiresGradient()) {
                NDArray array = parameter.getValue().getArray();
                array.set(new NDIndex(":"), manager.randomNormal(0f, 0.5f, array.getShape(), array.getDataType()));
            }
        }
        return this;
    }

    ParameterStore ps() {
        return new ParameterStore(manager, false);
    }

    @Override
    public void close() {
        manager.close();
        model.close();
    }
}
