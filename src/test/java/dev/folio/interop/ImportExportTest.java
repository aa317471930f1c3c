package dev.folio.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.folio.interop.PickleWriter.Call;
import dev.folio.interop.PickleWriter.Global;
import dev.folio.interop.PickleWriter.Ordered;
import dev.folio.interop.PickleWriter.TensorEntry;
import dev.folio.model.GptConfig;
import dev.folio.store.LoadedModel;
import dev.folio.store.ModelMetadata;
import dev.folio.store.ModelStore;
import dev.folio.store.TestModels;
import dev.folio.tokenizer.CharTokenizer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Export then import, nanoGPT checkpoints made here in PyTorch's layout, and hostile files refused with nothing published. */
class ImportExportTest {

    private static final String PROMPT = "the quick brown fox, jumps.\nover";
    private static final CharTokenizer TOKENIZER = TestModels.TOKENIZER;

    @TempDir
    Path root;

    /** A model with every weight and bias drawn at random (biases at 0 would hide one put in the wrong place). */
    private static ImportedModel randomModel(GptConfig config, long seed) {
        Random random = new Random(seed);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (GptLayout.Slot slot : GptLayout.of(config).slots()) {
            float[] values = new float[(int) Tensor.elements(slot.shape())];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) (random.nextGaussian() * 0.2);
            }
            tensors.put(slot.name(), new Tensor(slot.shape(), values));
        }
        return new ImportedModel(config, TOKENIZER.vocabulary(), tensors, "test");
    }

    private static GptConfig config(boolean bias) {
        return new GptConfig(TOKENIZER.vocabSize(), 32, 2, 2, 16, 0f, bias);
    }

    private static float[] logits(LoadedModel model) {
        try (NDManager manager = model.model().getNDManager().newSubManager()) {
            NDArray tokens = manager.create(TOKENIZER.encode(PROMPT)).toType(ai.djl.ndarray.types.DataType.INT64, false).reshape(1, -1);
            return model.gpt().logits(new ParameterStore(manager, false), tokens, false).toFloatArray();
        }
    }

    private static void assertClose(float[] actual, float[] expected, double tolerance) {
        assertThat(actual).hasSameSizeAs(expected);
        double largest = 0;
        for (int i = 0; i < actual.length; i++) {
            largest = Math.max(largest, Math.abs(actual[i] - expected[i]));
        }
        assertThat(largest).as("largest logit difference").isLessThanOrEqualTo(tolerance);
    }

    private LoadedModel publishAndLoad(ModelStore store, String name, ImportedModel model) throws IOException {
        ModelMetadata published = ModelImport.publish(store, name, model, TestModels.CHAT);
        return store.load(name, published.version());
    }

    @Test
    void exportThenImportGivesTheSameLogits() throws IOException {
        ModelStore store = new ModelStore(root.resolve("store"));
        for (boolean bias : new boolean[] {true, false}) {
            String name = bias ? "with-bias" : "no-bias";
            try (LoadedModel original = publishAndLoad(store, name, randomModel(config(bias), 7))) {
                Path out = root.resolve("export-" + name);
                HfExport.write(original, Map.of("user", "romeo", "assistant", "juliet"), ExportFiles.directory(out));
                ModelMetadata again = ModelImport.publish(store, name + "-again", ModelImport.read(out, null), HfDirectory.chat(out).orElseThrow());
                try (LoadedModel imported = store.load(name + "-again", again.version())) {
                    assertThat(imported.gpt().config()).isEqualTo(original.gpt().config());
                    assertThat(ModelTensors.read(imported.gpt())).isEqualTo(ModelTensors.read(original.gpt()));
                    assertClose(logits(imported), logits(original), 1e-6);
                    assertThat(imported.metadata().chat()).isEqualTo(TestModels.CHAT);
                    assertThat(imported.metadata().vocabulary()).isEqualTo(original.metadata().vocabulary());
                }
            }
        }
    }

    @Test
    void theExportIsGpt2sLayoutWithZeroBiasesAndACharacterTokenizer() throws IOException {
        ModelStore store = new ModelStore(root.resolve("store"));
        GptConfig config = config(false);
        ImportedModel model = randomModel(config, 3);
        try (LoadedModel loaded = publishAndLoad(store, "plain", model)) {
            Path out = root.resolve("export");
            HfExport.write(loaded, Map.of("user", "romeo", "assistant", "juliet"), ExportFiles.directory(out));
            Map<String, Tensor> gpt2 = SafetensorsReader.read(out.resolve("model.safetensors"));
            assertThat(gpt2).doesNotContainKey("lm_head.weight").containsKey("transformer.h.1.mlp.c_proj.bias");
            assertThat(gpt2.get("transformer.h.0.attn.c_attn.weight").shape()).containsExactly(16, 48); // Conv1D: (in, out)
            assertThat(gpt2.get("transformer.h.0.attn.c_attn.weight")).isEqualTo(model.tensors().get("transformer.h.0.attn.c_attn.weight").transposed());
            assertThat(gpt2.get("transformer.h.0.mlp.c_proj.weight").shape()).containsExactly(64, 16);
            assertThat(gpt2.get("transformer.ln_f.bias").isAllZero()).isTrue();
            assertThat(gpt2.get("transformer.wte.weight")).isEqualTo(model.tensors().get("transformer.wte.weight"));

            JsonMapper json = JsonMapper.builder().build();
            var hfConfig = json.readTree(out.resolve("config.json").toFile());
            assertThat(hfConfig.get("activation_function").asString()).isEqualTo("gelu");
            assertThat(hfConfig.get("n_positions").asInt()).isEqualTo(32);
            assertThat(hfConfig.get("tie_word_embeddings").asBoolean()).isTrue();
            var vocab = json.readTree(out.resolve("tokenizer.json").toFile()).get("model").get("vocab");
            for (int id = 0; id < TOKENIZER.vocabSize(); id++) {
                assertThat(vocab.get(TOKENIZER.decode(id)).asInt()).isEqualTo(id);
            }
            assertThat(json.readTree(out.resolve("tokenizer_config.json").toFile()).get("chat_template").asString())
                    .contains("speakers is not defined").endsWith(TestModels.CHAT.template());
            assertThat(Files.readString(out.resolve("README.md"))).contains("plain").contains(loaded.version());
        }
    }

    /** A nanoGPT ckpt.pt as train.py saves one: torch.compile's prefix, the tied head on wte's storage, the causal-mask buffer. */
    private Path nanoGptCheckpoint(ImportedModel model, Object extra) throws IOException {
        Map<String, Object> state = new LinkedHashMap<>();
        TorchZip zip = new TorchZip(new byte[0]);
        int key = 0;
        for (Map.Entry<String, Tensor> e : model.ordered().entrySet()) {
            String storage = String.valueOf(key++);
            Tensor t = e.getValue();
            state.put("_orig_mod." + e.getKey(), new TensorEntry(storage, t.values().length, t.shape()));
            zip.storage(storage, t.values());
            if (e.getKey().equals("transformer.wte.weight")) {
                state.put("_orig_mod.lm_head.weight", new TensorEntry(storage, t.values().length, t.shape()));
            }
        }
        zip.storage("mask", new float[4]);
        state.put("_orig_mod.transformer.h.0.attn.bias", new TensorEntry("mask", 4, new long[] {1, 1, 2, 2}));
        GptConfig c = model.config();
        Map<String, Object> args = new LinkedHashMap<>(Map.of("n_layer", c.nLayer(), "n_head", c.nHead(), "n_embd", c.nEmbd(),
                "block_size", c.blockSize(), "bias", c.bias(), "vocab_size", c.vocabSize(), "dropout", 0.0));
        Map<String, Object> checkpoint = new LinkedHashMap<>();
        checkpoint.put("model", new Ordered(state));
        checkpoint.put("optimizer", Map.of("param_groups", List.of(Map.of("lr", 1e-3, "betas", List.of(0.9, 0.99)))));
        checkpoint.put("model_args", args);
        checkpoint.put("iter_num", 5000);
        checkpoint.put("config", Map.of("dataset", "shakespeare_char", "extra", extra == null ? "none" : extra));
        zip.entry("archive/data.pkl", PickleWriter.protocol2(checkpoint));
        Path dir = Files.createDirectories(root.resolve("out-" + System.nanoTime()));
        Files.write(dir.resolve("meta.pkl"), meta(TOKENIZER.vocabulary()));
        return zip.writeTo(dir.resolve("ckpt.pt"));
    }

    private static byte[] meta(String vocabulary) {
        Map<Object, Object> itos = new LinkedHashMap<>();
        Map<Object, Object> stoi = new LinkedHashMap<>();
        int[] chars = vocabulary.codePoints().toArray();
        for (int id = 0; id < chars.length; id++) {
            itos.put(id, new String(chars, id, 1));
            stoi.put(new String(chars, id, 1), id);
        }
        return PickleWriter.protocol4(Map.of("vocab_size", chars.length, "itos", itos, "stoi", stoi));
    }

    @Test
    void aNanoGptCheckpointImportsToTheRightWeights() throws IOException {
        ModelStore store = new ModelStore(root.resolve("store"));
        for (boolean bias : new boolean[] {true, false}) {
            ImportedModel known = randomModel(config(bias), bias ? 11 : 12);
            Path checkpoint = nanoGptCheckpoint(known, null);
            ImportedModel read = ModelImport.read(checkpoint, null);
            assertThat(read.config()).isEqualTo(known.config());
            assertThat(read.vocabulary()).isEqualTo(TOKENIZER.vocabulary());
            assertThat(read.source()).contains("iter_num 5000");
            ModelMetadata published = ModelImport.publish(store, "nano", read, null);
            try (LoadedModel loaded = store.load("nano", published.version())) {
                assertThat(ModelTensors.read(loaded.gpt())).isEqualTo(known.ordered());
            }
        }
    }

    @Test
    void aStridedViewOfAStorageIsReadAsItsElements() throws IOException {
        // wte stored transposed, read through strides (C,V) → (V,C): what PyTorch does for a view
        ImportedModel known = randomModel(config(false), 5);
        Tensor wte = known.tensors().get("transformer.wte.weight");
        Map<String, Object> state = new LinkedHashMap<>();
        TorchZip zip = new TorchZip(new byte[0]);
        int key = 0;
        for (Map.Entry<String, Tensor> e : known.ordered().entrySet()) {
            String storage = String.valueOf(key++);
            if (e.getKey().equals("transformer.wte.weight")) {
                zip.storage(storage, wte.transposed().values());
                state.put(e.getKey(), new TensorEntry(storage, wte.values().length, 0, wte.shape(), new long[] {1, wte.shape()[0]}));
            } else {
                zip.storage(storage, e.getValue().values());
                state.put(e.getKey(), new TensorEntry(storage, e.getValue().values().length, e.getValue().shape()));
            }
        }
        GptConfig c = known.config();
        zip.entry("archive/data.pkl", PickleWriter.protocol2(Map.of("model", new Ordered(state), "model_args", Map.of("n_layer", c.nLayer(),
                "n_head", c.nHead(), "n_embd", c.nEmbd(), "block_size", c.blockSize(), "bias", false, "vocab_size", c.vocabSize()))));
        Path meta = Files.write(root.resolve("vocab.pkl"), meta(TOKENIZER.vocabulary()));
        ImportedModel read = ModelImport.read(zip.writeTo(root.resolve("strided.pt")), meta);
        assertThat(read.tensors()).isEqualTo(known.tensors());
    }

    @Test
    void metaPklIsFoundInTheNanoGptCheckoutOrRefusedByName() throws IOException {
        ImportedModel known = randomModel(config(false), 9);
        Path checkpoint = nanoGptCheckpoint(known, null);
        Path checkout = Files.createDirectories(root.resolve("nanoGPT"));
        Path outDir = Files.createDirectories(checkout.resolve("out-shakespeare-char"));
        Path moved = Files.move(checkpoint, outDir.resolve("ckpt.pt"));
        Path data = Files.createDirectories(checkout.resolve("data/shakespeare_char"));
        assertThatThrownBy(() -> ModelImport.read(moved, null)).isInstanceOf(RefusedFileException.class).hasMessageContaining("--meta");
        Files.move(checkpoint.resolveSibling("meta.pkl"), data.resolve("meta.pkl")); // where nanoGPT's prepare.py writes it
        assertThat(ModelImport.read(moved, null).vocabulary()).isEqualTo(TOKENIZER.vocabulary());
        assertThat(ModelImport.read(outDir, null).tensors()).isEqualTo(known.tensors()); // the out_dir names the checkpoint too
    }

    @Test
    void hostileFilesAreRefusedAndNothingIsPublished() throws IOException {
        ModelStore store = new ModelStore(root.resolve("store"));
        ImportedModel known = randomModel(config(false), 21);

        // a pickle naming a global outside the allow-list
        Path evil = nanoGptCheckpoint(known, new Call(new Global("os", "system"), List.of("echo pwned")));
        assertRefused(store, evil, "os.system");

        // shapes that disagree with the configuration
        GptConfig shorter = new GptConfig(TOKENIZER.vocabSize(), 16, 2, 2, 16, 0f, false);
        assertRefused(store, nanoGptCheckpointOf(shorter, known.ordered()), "transformer.wpe.weight has shape [32, 16] but the configuration");
        GptConfig wider = new GptConfig(TOKENIZER.vocabSize(), 32, 2, 2, 32, 0f, false);
        assertRefused(store, nanoGptCheckpointOf(wider, known.ordered()), "needs");

        // a NaN weight, in a nanoGPT checkpoint and in a Hugging Face directory
        Map<String, Tensor> poisoned = new LinkedHashMap<>(known.tensors());
        float[] values = poisoned.get("transformer.h.1.mlp.c_fc.weight").values().clone();
        values[17] = Float.NaN;
        poisoned.put("transformer.h.1.mlp.c_fc.weight", new Tensor(new long[] {64, 16}, values));
        Path nan = nanoGptCheckpointOf(known.config(), poisoned);
        assertRefused(store, nan, "transformer.h.1.mlp.c_fc.weight holds NaN at index 17");

        Path hf = exportOf(store, known);
        Path hfNan = copyDir(hf, "hf-nan");
        Map<String, Tensor> gpt2 = new LinkedHashMap<>(SafetensorsReader.read(hfNan.resolve("model.safetensors")));
        float[] bias = gpt2.get("transformer.h.0.ln_2.weight").values().clone();
        bias[3] = Float.POSITIVE_INFINITY;
        gpt2.put("transformer.h.0.ln_2.weight", new Tensor(new long[] {16}, bias));
        try (var out = Files.newOutputStream(hfNan.resolve("model.safetensors"))) {
            SafetensorsWriter.write(out, gpt2, Map.of("format", "pt"));
        }
        assertRefused(store, hfNan, "Infinity");

        // a safetensors header claiming more bytes than the file holds
        Path hfLying = copyDir(hf, "hf-lying");
        byte[] file = Files.readAllBytes(hfLying.resolve("model.safetensors"));
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putLong(0, file.length);
        Files.write(hfLying.resolve("model.safetensors"), file);
        assertRefused(store, hfLying, "header claims");

        // config.json disagreeing with the tensors, another activation, a BPE tokenizer
        Path hfShape = copyDir(hf, "hf-shape");
        editJson(hfShape.resolve("config.json"), c -> c.put("n_embd", 32));
        assertRefused(store, hfShape, "needs");
        Path hfGelu = copyDir(hf, "hf-gelu");
        editJson(hfGelu.resolve("config.json"), c -> c.remove("activation_function"));
        assertRefused(store, hfGelu, "gelu_new");
        Path hfBpe = copyDir(hf, "hf-bpe");
        editJson(hfBpe.resolve("tokenizer.json"), t -> ((ObjectNode) t.get("model")).put("type", "BPE"));
        assertRefused(store, hfBpe, "a BPE model; Folio serves character-level vocabularies only");

        assertThat(store.versions("hostile")).as("nothing was published").isEmpty();
        assertThat(root.resolve("store/hostile")).doesNotExist();
    }

    private void assertRefused(ModelStore store, Path from, String why) {
        assertThatThrownBy(() -> ModelImport.publish(store, "hostile", ModelImport.read(from, null), null))
                .isInstanceOf(RefusedFileException.class).hasMessageContaining(why);
    }

    private Path nanoGptCheckpointOf(GptConfig config, Map<String, Tensor> tensors) throws IOException {
        Map<String, Object> state = new LinkedHashMap<>();
        TorchZip zip = new TorchZip(new byte[0]);
        int key = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String storage = String.valueOf(key++);
            zip.storage(storage, e.getValue().values());
            state.put(e.getKey(), new TensorEntry(storage, e.getValue().values().length, e.getValue().shape()));
        }
        zip.entry("archive/data.pkl", PickleWriter.protocol2(Map.of("model", new Ordered(state), "model_args", Map.of("n_layer", config.nLayer(),
                "n_head", config.nHead(), "n_embd", config.nEmbd(), "block_size", config.blockSize(), "bias", config.bias(),
                "vocab_size", config.vocabSize()))));
        Path dir = Files.createDirectories(root.resolve("nan-" + System.nanoTime()));
        Files.write(dir.resolve("meta.pkl"), meta(TOKENIZER.vocabulary()));
        return zip.writeTo(dir.resolve("ckpt.pt"));
    }

    private Path exportOf(ModelStore store, ImportedModel model) throws IOException {
        ModelStore scratch = new ModelStore(root.resolve("scratch"));
        ModelMetadata published = ModelImport.publish(scratch, "source", model, null);
        Path out = root.resolve("hf");
        try (LoadedModel loaded = scratch.load("source", published.version())) {
            HfExport.write(loaded, Map.of("user", "a", "assistant", "b"), ExportFiles.directory(out));
        }
        return out;
    }

    private Path copyDir(Path from, String name) throws IOException {
        Path to = Files.createDirectories(root.resolve(name));
        try (var files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        return to;
    }

    private static void editJson(Path file, java.util.function.Consumer<ObjectNode> edit) throws IOException {
        JsonMapper json = JsonMapper.builder().build();
        ObjectNode node = (ObjectNode) json.readTree(Files.readString(file, StandardCharsets.UTF_8));
        edit.accept(node);
        Files.writeString(file, json.writeValueAsString(node));
    }
}
