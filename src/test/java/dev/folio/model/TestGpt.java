package dev.folio.model;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
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

    ParameterStore ps() {
        return new ParameterStore(manager, false);
    }

    @Override
    public void close() {
        manager.close();
        model.close();
    }
}
