package dev.folio.interop;

import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Folio's character vocabulary as a Hugging Face {@code tokenizer.json}: a WordLevel model whose words are single characters
 * with Folio's ids, a pre-tokenizer that splits text into single characters (spaces and newlines included), and a decoder that
 * joins tokens with nothing between them. And back: the vocabulary of such a file, refusing any other tokenizer.
 */
final class CharacterTokenizerJson {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private CharacterTokenizerJson() {}

    static ObjectNode of(String vocabulary) {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        root.putArray("added_tokens");
        root.putNull("normalizer");
        ObjectNode split = root.putObject("pre_tokenizer");
        split.put("type", "Split");
        split.putObject("pattern").put("Regex", "[\\s\\S]"); // every character on its own, newlines too
        split.put("behavior", "Isolated");
        split.put("invert", false);
        root.putNull("post_processor");
        root.putObject("decoder").put("type", "Fuse"); // "a" "b" decode to "ab", not "a b"
        ObjectNode model = root.putObject("model");
        model.put("type", "WordLevel");
        ObjectNode vocab = model.putObject("vocab");
        int[] codePoints = vocabulary.codePoints().toArray();
        for (int id = 0; id < codePoints.length; id++) {
            vocab.put(new String(codePoints, id, 1), id);
        }
        model.put("unk_token", "<unk>"); // not in the vocabulary: a character outside it is an error, as in Folio
        return root;
    }

    /** The characters in id order, from a tokenizer.json that {@link #of} could have written. */
    static String vocabulary(JsonNode root, String where) {
        JsonNode model = root.path("model");
        String type = model.path("type").asString("");
        if (!type.equals("WordLevel")) {
            throw new RefusedFileException(where + ": the tokenizer is " + (type.isEmpty() ? "of no model type" : "a " + type + " model")
                    + "; Folio serves character-level vocabularies only (a WordLevel model over single characters)");
        }
        if (root.path("added_tokens").size() > 0) {
            throw new RefusedFileException(where + ": the tokenizer adds special tokens, which a character vocabulary has no place for");
        }
        Map<Integer, String> byId = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> word : model.path("vocab").properties()) {
            String text = word.getKey();
            if (text.codePointCount(0, text.length()) != 1) {
                throw new RefusedFileException(where + ": the vocabulary holds '" + text + "', which is not a single character; "
                        + "Folio serves character-level vocabularies only");
            }
            if (!word.getValue().isIntegralNumber() || byId.put(word.getValue().asInt(), text) != null) {
                throw new RefusedFileException(where + ": the id of '" + text + "' is not an integer of its own");
            }
        }
        StringBuilder vocabulary = new StringBuilder();
        for (int id = 0; id < byId.size(); id++) {
            String text = byId.get(id);
            if (text == null) {
                throw new RefusedFileException(where + ": ids must run 0.." + (byId.size() - 1) + " with no gap; " + id + " is missing");
            }
            vocabulary.append(text);
        }
        return vocabulary.toString();
    }
}
