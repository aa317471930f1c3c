package dev.folio.interop;

import dev.folio.model.GptConfig;
import dev.folio.tokenizer.CharTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model read from another format and checked, ready to publish: its architecture, its character vocabulary, and exactly
 * the tensors {@link GptLayout#of(GptConfig)} names, each of its shape and finite. The constructor refuses anything else.
 *
 * @param source what it was read from, for the log and the command's report
 */
public record ImportedModel(GptConfig config, String vocabulary, Map<String, Tensor> tensors, String source) {

    public ImportedModel {
        tensors = Map.copyOf(tensors);
        CharTokenizer tokenizer;
        try {
            tokenizer = CharTokenizer.fromVocabulary(vocabulary);
        } catch (IllegalArgumentException e) {
            throw new RefusedFileException(source + ": the vocabulary is not one Folio's character tokenizer keeps: " + e.getMessage()
                    + " (Folio orders characters by code point, as nanoGPT's prepare.py does)");
        }
        if (tokenizer.vocabSize() != config.vocabSize()) {
            throw new RefusedFileException(source + ": the vocabulary has " + tokenizer.vocabSize() + " characters, the model "
                    + config.vocabSize() + " token ids");
        }
        GptLayout layout = GptLayout.of(config);
        List<String> missing = new ArrayList<>();
        for (GptLayout.Slot slot : layout.slots()) {
            Tensor tensor = tensors.get(slot.name());
            if (tensor == null) {
                missing.add(slot.name());
                continue;
            }
            if (!Arrays.equals(tensor.shape(), slot.shape())) {
                throw new RefusedFileException(source + ": " + slot.name() + " has shape " + tensor.shapeText() + " but the configuration ("
                        + describe(config) + ") needs " + Arrays.toString(slot.shape()));
            }
            int bad = tensor.firstNonFinite();
            if (bad >= 0) {
                throw new RefusedFileException(source + ": " + slot.name() + " holds " + tensor.values()[bad] + " at index " + bad
                        + "; a model with NaN or infinite weights is never published");
            }
        }
        if (!missing.isEmpty()) {
            throw new RefusedFileException(source + ": missing " + missing.size() + " tensor(s) the configuration (" + describe(config)
                    + ") needs, e.g. " + missing.subList(0, Math.min(3, missing.size())));
        }
        if (tensors.size() != layout.size()) {
            List<String> extra = tensors.keySet().stream().filter(n -> layout.slots().stream().noneMatch(s -> s.name().equals(n))).sorted().toList();
            throw new RefusedFileException(source + ": tensors Folio's model has no place for: " + extra.subList(0, Math.min(5, extra.size())));
        }
    }

    /** The tensors in {@link GptLayout}'s order. */
    public Map<String, Tensor> ordered() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        GptLayout.of(config).slots().forEach(s -> out.put(s.name(), tensors.get(s.name())));
        return out;
    }

    /**
     * Refuses a configuration that needs more numbers than the file holds, before anything of its size is built: a hostile
     * configuration could otherwise ask for a model of any size.
     */
    static void requireWeightsFor(GptConfig config, java.util.Collection<Tensor> tensors, String source) {
        long held = tensors.stream().mapToLong(t -> t.values().length).sum();
        long needed = new GptConfig(config.vocabSize(), config.blockSize(), config.nLayer(), config.nHead(), config.nEmbd(), 0f, false)
                .parameterCount(); // the fewest: without biases
        if (held < needed) {
            throw new RefusedFileException(source + ": the configuration (" + describe(config) + ") needs " + needed
                    + " weights, the file holds " + held);
        }
    }

    /** The most any one dimension may be: far beyond a model Folio serves, small enough that no product of them overflows. */
    static final int MAX_DIMENSION = 1 << 20;

    /** A configuration's dimension, checked to be positive and at most {@link #MAX_DIMENSION}. */
    static int dimension(String field, long value, String where) {
        if (value <= 0 || value > MAX_DIMENSION) {
            throw new RefusedFileException(where + ": " + field + " must be a positive integer up to " + MAX_DIMENSION + ", is " + value);
        }
        return (int) value;
    }

    static String describe(GptConfig c) {
        return "n_layer " + c.nLayer() + ", n_head " + c.nHead() + ", n_embd " + c.nEmbd() + ", block_size " + c.blockSize() + ", vocab_size "
                + c.vocabSize() + ", bias " + c.bias();
    }
}
