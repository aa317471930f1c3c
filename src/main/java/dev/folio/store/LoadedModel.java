package dev.folio.store;

import ai.djl.Model;
import dev.folio.model.Gpt;
import dev.folio.model.ScriptedInference;
import dev.folio.tokenizer.CharTokenizer;

/**
 * A verified version in memory: the DJL model that owns the weights, the block, its inference passes
 * (prefill, decoding step) compiled over the same weights, its tokenizer.
 */
public record LoadedModel(Model model, Gpt gpt, ScriptedInference inference, CharTokenizer tokenizer, ModelMetadata metadata)
        implements AutoCloseable {

    public String version() {
        return metadata.version();
    }

    /** Frees the weights' native memory. */
    @Override
    public void close() {
        inference.close();
        model.close();
    }
}
