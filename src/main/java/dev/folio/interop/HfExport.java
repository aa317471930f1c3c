package dev.folio.interop;

import dev.folio.model.GptConfig;
import dev.folio.store.LoadedModel;
import dev.folio.store.ModelMetadata;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A version as a Hugging Face GPT-2 model that {@code GPT2LMHeadModel.from_pretrained} and {@code AutoTokenizer.from_pretrained}
 * load as they stand: {@code model.safetensors} (GPT-2's names, Conv1D's (in, out) weights, zero biases where Folio's model
 * has none, the output head tied to {@code wte} so not stored), {@code config.json} (exact GELU, LayerNorm epsilon 1e-5),
 * {@code tokenizer.json} (a WordLevel model over single characters with Folio's ids), {@code tokenizer_config.json} (the
 * version's chat template), {@code generation_config.json} and a model card.
 */
public final class HfExport {

    public static final String WEIGHTS = "model.safetensors";
    /** DJL's LayerNorm epsilon, which Folio's model uses (as nanoGPT's). */
    static final double LAYER_NORM_EPSILON = 1e-5;
    private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private HfExport() {}

    /** @param speakers the chat speakers by role ({@code folio.chat.speakers}), which Folio passes to a template as {@code speakers} */
    public static void write(LoadedModel model, Map<String, String> speakers, ExportFiles files) throws IOException {
        ModelMetadata metadata = model.metadata();
        GptConfig config = metadata.architecture();
        Map<String, Tensor> tensors = ModelTensors.read(model.gpt());
        files.add(WEIGHTS, out -> SafetensorsWriter.write(out, gpt2Tensors(config, tensors),
                Map.of("format", "pt", "folio_model", metadata.modelName(), "folio_version", metadata.version())));
        files.add(HfDirectory.CONFIG, out -> out.write(json(config(config))));
        files.add(HfDirectory.TOKENIZER, out -> out.write(json(CharacterTokenizerJson.of(metadata.vocabulary()))));
        files.add(HfDirectory.TOKENIZER_CONFIG, out -> out.write(json(tokenizerConfig(metadata, speakers))));
        files.add("generation_config.json", out -> out.write(json(generationConfig(config))));
        files.add("README.md", out -> out.write(ModelCard.of(metadata).getBytes(StandardCharsets.UTF_8)));
    }

    /** Folio's tensors under GPT-2's names and layout: every bias present (zeros where Folio has none), Conv1D weights (in, out). */
    static Map<String, Tensor> gpt2Tensors(GptConfig config, Map<String, Tensor> folio) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (GptLayout.Slot slot : GptLayout.of(config, true).slots()) {
            Tensor tensor = folio.get(slot.name());
            out.put(slot.name(), tensor == null ? Tensor.zeros(slot.shape()) : GptLayout.swapConv1d(slot, tensor));
        }
        return out;
    }

    static ObjectNode config(GptConfig c) {
        ObjectNode node = JSON.createObjectNode();
        node.putArray("architectures").add("GPT2LMHeadModel");
        node.put("model_type", "gpt2");
        node.put("vocab_size", c.vocabSize());
        node.put("n_positions", c.blockSize());
        node.put("n_ctx", c.blockSize());
        node.put("n_embd", c.nEmbd());
        node.put("n_layer", c.nLayer());
        node.put("n_head", c.nHead());
        node.putNull("n_inner"); // 4 · n_embd, as Folio's MLP
        node.put("activation_function", "gelu"); // exact (erf) GELU, not GPT-2's tanh approximation gelu_new
        node.put("layer_norm_epsilon", LAYER_NORM_EPSILON);
        node.put("tie_word_embeddings", true);
        node.put("scale_attn_weights", true);
        node.put("scale_attn_by_inverse_layer_idx", false);
        node.put("reorder_and_upcast_attn", false);
        node.put("resid_pdrop", 0.0);
        node.put("embd_pdrop", 0.0);
        node.put("attn_pdrop", 0.0);
        node.put("initializer_range", 0.02);
        node.putNull("bos_token_id"); // a character vocabulary has no special tokens
        node.putNull("eos_token_id");
        node.put("use_cache", true);
        node.put("torch_dtype", "float32");
        return node;
    }

    static ObjectNode tokenizerConfig(ModelMetadata metadata, Map<String, String> speakers) {
        ModelMetadata.Chat chat = ChatTemplates.settings(metadata);
        ObjectNode node = JSON.createObjectNode();
        node.put("tokenizer_class", "PreTrainedTokenizerFast");
        node.put("model_max_length", metadata.architecture().blockSize());
        node.put("clean_up_tokenization_spaces", false);
        node.putObject("added_tokens_decoder");
        node.put("chat_template", ChatTemplates.withDefaultSpeakers(chat.template(), speakers));
        var stop = node.putArray(ChatTemplates.STOP_KEY);
        chat.stop().forEach(stop::add);
        return node;
    }

    static ObjectNode generationConfig(GptConfig c) {
        ObjectNode node = JSON.createObjectNode();
        node.put("do_sample", false); // greedy unless asked, as Folio's TGI routes; no max_length, which would fight max_new_tokens
        return node;
    }

    static byte[] json(ObjectNode node) {
        return (JSON.writeValueAsString(node) + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
