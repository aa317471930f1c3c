package dev.folio.store;

import ai.djl.Model;
import dev.folio.model.Gpt;
import dev.folio.tokenizer.CharTokenizer;

/** A verified version in memory: the DJL model that owns the weights, the block, its tokenizer. */
public record LoadedModel(Model model, Gpt gpt, CharTokenizer tokenizer, ModelMetadata metadata) implements AutoCloseable {

    public String version() {
        return metadata.version();
    }

    /** Frees the weights' native memory. */
    @Override
    public void close() {
        model.close();
    }
}
