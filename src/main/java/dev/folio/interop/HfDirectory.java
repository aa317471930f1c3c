package dev.folio.interop;

import dev.folio.model.GptConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a Hugging Face GPT-2 directory (config.json, model.safetensors, a character-level tokenizer.json) into a model Folio
 * can serve, refusing what its model cannot compute the same way: another activation than exact GELU, another LayerNorm
 * epsilon, untied output weights, another MLP width, other attention scaling.
 */
public final class HfDirectory {

    static final String CONFIG = "config.json";
    static final String TOKENIZER = "tokenizer.json";
    static final String TOKENIZER_CONFIG = "tokenizer_config.json";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private HfDirectory() {}

    public static ImportedModel read(Path dir) throws IOException {
        String where = dir.getFileName() + "/";
        JsonNode config = json(dir.resolve(CONFIG), where + CONFIG);
        GptConfig withBiases = architecture(config, where + CONFIG, true);
        Path weights = dir.resolve(HfExport.WEIGHTS);
        if (!Files.isRegularFile(weights)) {
            throw new RefusedFileException(where + ": no " + HfExport.WEIGHTS + (Files.exists(dir.resolve("model.safetensors.index.json"))
                    ? " (sharded weights are not read: save the model with max_shard_size larger than it)"
                    : " (save the model with safe_serialization=True)"));
        }
        if (!Files.isRegularFile(dir.resolve(TOKENIZER))) {
            throw new RefusedFileException(where + ": no " + TOKENIZER + ": Folio takes the character vocabulary from it");
        }
        String vocabulary = CharacterTokenizerJson.vocabulary(json(dir.resolve(TOKENIZER), where + TOKENIZER), where + TOKENIZER);
        Map<String, Tensor> gpt2 = SafetensorsReader.read(weights);
        ImportedModel.requireWeightsFor(withBiases, gpt2.values(), where + HfExport.WEIGHTS);
        Map<String, Tensor> folio = folioTensors(withBiases, gpt2, where + HfExport.WEIGHTS);
        boolean biases = folio.entrySet().stream().anyMatch(e -> e.getKey().endsWith(".bias") && !e.getValue().isAllZero());
        GptConfig config2 = biases ? withBiases : new GptConfig(withBiases.vocabSize(), withBiases.blockSize(), withBiases.nLayer(),
                withBiases.nHead(), withBiases.nEmbd(), 0f, false);
        if (!biases) {
            folio.keySet().removeIf(name -> name.endsWith(".bias"));
        }
        return new ImportedModel(config2, vocabulary, folio, where + HfExport.WEIGHTS);
    }

    /** The chat template and stop sequences the directory's tokenizer_config.json carries, if any. */
    public static java.util.Optional<dev.folio.store.ModelMetadata.Chat> chat(Path dir) throws IOException {
        Path file = dir.resolve(TOKENIZER_CONFIG);
        if (!Files.isRegularFile(file)) {
            return java.util.Optional.empty();
        }
        JsonNode node = json(file, dir.getFileName() + "/" + TOKENIZER_CONFIG);
        if (!node.path("chat_template").isString()) {
            return java.util.Optional.empty();
        }
        java.util.List<String> stop = new java.util.ArrayList<>();
        node.path(ChatTemplates.STOP_KEY).forEach(s -> stop.add(s.asString()));
        return java.util.Optional.of(new dev.folio.store.ModelMetadata.Chat(ChatTemplates.withoutDefaultSpeakers(node.get("chat_template").asString()),
                stop.isEmpty() ? java.util.List.of("\n\n") : stop));
    }

    /** GPT-2's tensors by Folio's names and in its layout; the causal-mask buffers dropped, the tied head checked. */
    private static Map<String, Tensor> folioTensors(GptConfig config, Map<String, Tensor> gpt2, String where) {
        Map<String, Tensor> byName = new HashMap<>();
        for (Map.Entry<String, Tensor> e : gpt2.entrySet()) {
            String name = e.getKey().startsWith("transformer.") || e.getKey().equals("lm_head.weight") ? e.getKey() : "transformer." + e.getKey();
            if (!GptLayout.isCausalMask(name)) {
                byName.put(name, e.getValue());
            }
        }
        Tensor head = byName.remove("lm_head.weight");
        if (head != null && !head.equals(byName.get("transformer.wte.weight"))) {
            throw new RefusedFileException(where + ": lm_head.weight differs from transformer.wte.weight; Folio's model ties them");
        }
        Map<String, Tensor> folio = new LinkedHashMap<>();
        for (GptLayout.Slot slot : GptLayout.of(config, true).slots()) {
            Tensor tensor = byName.remove(slot.name());
            if (tensor == null) {
                continue; // ImportedModel names what is missing
            }
            if (slot.linearWeight()) {
                long[] conv1d = {slot.shape()[1], slot.shape()[0]};
                if (!java.util.Arrays.equals(tensor.shape(), conv1d)) {
                    throw new RefusedFileException(where + ": " + slot.name() + " has shape " + tensor.shapeText() + " but config.json ("
                            + ImportedModel.describe(config) + ") needs " + java.util.Arrays.toString(conv1d) + " (Conv1D: in, out)");
                }
                tensor = tensor.transposed();
            }
            folio.put(slot.name(), tensor);
        }
        folio.putAll(byName); // anything left over: ImportedModel refuses it by name
        return folio;
    }

    static GptConfig architecture(JsonNode c, String where, boolean bias) {
        if (!"gpt2".equals(c.path("model_type").asString(""))) {
            throw new RefusedFileException(where + ": model_type is '" + c.path("model_type").asString("") + "'; Folio imports GPT-2 models only");
        }
        require(c.path("activation_function").asString("gelu_new").equals("gelu"), where,
                "activation_function is '" + c.path("activation_function").asString("gelu_new (the default)")
                        + "'; Folio's model computes exact GELU ('gelu') only");
        require(Math.abs(c.path("layer_norm_epsilon").asDouble(1e-5) - HfExport.LAYER_NORM_EPSILON) < 1e-12, where,
                "layer_norm_epsilon is " + c.path("layer_norm_epsilon") + "; Folio's model uses 1e-5");
        require(c.path("tie_word_embeddings").asBoolean(true), where, "tie_word_embeddings is false; Folio's model ties its output head to wte");
        require(c.path("scale_attn_weights").asBoolean(true) && !c.path("scale_attn_by_inverse_layer_idx").asBoolean(false), where,
                "attention is scaled otherwise than by 1/sqrt(head dim)");
        int nEmbd = integer(c, "n_embd", where);
        require(c.path("n_inner").isNull() || c.path("n_inner").isMissingNode() || c.path("n_inner").asInt() == 4 * nEmbd, where,
                "n_inner is " + c.path("n_inner") + "; Folio's MLP is 4 · n_embd wide");
        try {
            return new GptConfig(integer(c, "vocab_size", where), integer(c, "n_positions", where), integer(c, "n_layer", where),
                    integer(c, "n_head", where), nEmbd, 0f, bias);
        } catch (IllegalArgumentException e) {
            throw new RefusedFileException(where + ": " + e.getMessage());
        }
    }

    private static int integer(JsonNode c, String field, String where) {
        JsonNode n = c.path(field);
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new RefusedFileException(where + ": " + field + " must be a positive integer, is " + (n.isMissingNode() ? "missing" : n));
        }
        return ImportedModel.dimension(field, n.asInt(), where);
    }

    private static void require(boolean holds, String where, String why) {
        if (!holds) {
            throw new RefusedFileException(where + ": " + why);
        }
    }

    static JsonNode json(Path file, String where) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new RefusedFileException(where + " does not exist");
        }
        if (Files.size(file) > 64L * 1024 * 1024) {
            throw new RefusedFileException(where + " is larger than the 64 MB a configuration may be");
        }
        try {
            JsonNode node = JSON.readTree(Files.readString(file));
            if (node == null || !node.isObject()) {
                throw new RefusedFileException(where + " is not a JSON object");
            }
            return node;
        } catch (JacksonException e) {
            throw new RefusedFileException(where + " is not JSON: " + e.getOriginalMessage());
        }
    }
}
