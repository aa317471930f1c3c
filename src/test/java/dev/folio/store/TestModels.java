package dev.folio.store;

import ai.djl.Model;
import ai.djl.engine.Engine;
import dev.folio.model.Gpt;
import dev.folio.model.GptConfig;
import dev.folio.tokenizer.CharTokenizer;
import java.io.IOException;

/** Publishes small, untrained models into a store, for tests that need a version on disk. */
public final class TestModels {

    public static final String NAME = "tiny-char";
    public static final CharTokenizer TOKENIZER = CharTokenizer.fromCorpus("abcdefghijklmnopqrstuvwxyz ,.\n");

    /**
     * A chat template in the tiny vocabulary (no capitals, no colon): speeches as {@code "romeo.\n<content>\n\n"}, which also
     * shows a model carrying a template of its own.
     */
    public static final ModelMetadata.Chat CHAT = new ModelMetadata.Chat(
            "{% for m in messages %}{% if m.role == 'system' %}{{ m.content }}\n\n{% else %}"
                    + "{% if m.name %}{{ m.name | lower }}{% else %}{{ speakers[m.role] | lower }}{% endif %}.\n{{ m.content }}\n\n"
                    + "{% endif %}{% endfor %}{% if add_generation_prompt %}{{ speakers['assistant'] | lower }}.\n{% endif %}",
            java.util.List.of("\n\n"));

    private TestModels() {}

    public static GptConfig config() {
        return new GptConfig(TOKENIZER.vocabSize(), 32, 2, 2, 16, 0f, true);
    }

    /** Publishes a tiny model (weights from {@code seed}) into a new store at {@code root} and loads it. */
    public static LoadedModel publishAndLoad(java.nio.file.Path root, int seed) throws IOException {
        ModelStore store = new ModelStore(root);
        publish(store, seed);
        return store.loadCurrent(NAME);
    }

    public static ModelMetadata publish(ModelStore store, int seed) throws IOException {
        return publish(store, NAME, TOKENIZER, CHAT, seed);
    }

    /** A second tiny model with another vocabulary (capitals and the play-script template's colon): the default chat template fits it. */
    public static final String CAPS_NAME = "tiny-caps";
    public static final CharTokenizer CAPS_TOKENIZER = CharTokenizer.fromCorpus("ABCDEFGHIJKLMNOPQRSTUVWXYZ :.,!?\n");

    public static ModelMetadata publishCaps(ModelStore store, int seed) throws IOException {
        return publish(store, CAPS_NAME, CAPS_TOKENIZER, null, seed);
    }

    /** Publishes a tiny untrained model of that name and vocabulary (null chat: the play-script default). */
    public static ModelMetadata publish(ModelStore store, String name, CharTokenizer tokenizer, ModelMetadata.Chat chat, int seed) throws IOException {
        Engine.getInstance().setRandomSeed(seed);
        GptConfig config = new GptConfig(tokenizer.vocabSize(), 32, 2, 2, 16, 0f, true);
        try (Model model = Model.newInstance(name)) {
            Gpt gpt = new Gpt(config);
            model.setBlock(gpt);
            gpt.initialize(model.getNDManager());
            ModelMetadata metadata = new ModelMetadata(ModelMetadata.FORMAT, name, null, null, config, tokenizer.vocabulary(),
                    config.parameterCount(), name + "-0000.params", null, null, chat);
            return store.publish(model, metadata);
        }
    }
}
