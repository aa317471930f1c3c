package dev.folio.store;

import dev.folio.model.GptConfig;
import dev.folio.training.config.TrainingConfig;
import java.time.Instant;
import java.util.List;

/**
 * What {@code model.json} holds for one version: enough to rebuild the model, its tokenizer, and to
 * tell where it came from.
 *
 * @param format layout version of this file
 * @param modelName the store entry, e.g. shakespeare-char
 * @param version the version id (v + UTC timestamp)
 * @param createdAt when it was published
 * @param architecture the GPT's shape
 * @param vocabulary the tokenizer's characters in id order
 * @param parameterCount trainable parameters (tied embedding counted once)
 * @param paramsFile the weights file in the version directory
 * @param training how it was trained and how well it did
 * @param corpus what it was trained on
 * @param chat how a conversation becomes this model's prompt (null in versions written before chat templates:
 *     the play-script default)
 */
public record ModelMetadata(
        int format,
        String modelName,
        String version,
        Instant createdAt,
        GptConfig architecture,
        String vocabulary,
        long parameterCount,
        String paramsFile,
        TrainingSummary training,
        CorpusSummary corpus,
        Chat chat) {

    public static final int FORMAT = 1;

    /** A copy bound to a version id and creation time (set by the store at publish time). */
    public ModelMetadata withVersion(String newVersion, Instant created) {
        return new ModelMetadata(format, modelName, newVersion, created, architecture, vocabulary, parameterCount, paramsFile, training, corpus, chat);
    }

    /** A copy with another chat template (the weights and everything else unchanged). */
    public ModelMetadata withChat(Chat newChat) {
        return new ModelMetadata(format, modelName, version, createdAt, architecture, vocabulary, parameterCount, paramsFile, training, corpus, newChat);
    }

    /**
     * The chat template kept with a version, as Hugging Face keeps {@code chat_template} in tokenizer_config.json.
     *
     * @param template a Jinja template over {@code messages}, {@code add_generation_prompt} and {@code speakers}
     * @param stop where a reply ends (for the play-script template, the blank line that ends a speech)
     */
    public record Chat(String template, List<String> stop) {
        public Chat {
            stop = stop == null ? List.of() : List.copyOf(stop);
        }
    }

    /**
     * @param config the hyperparameters
     * @param steps optimizer steps taken
     * @param tokensSeen training tokens consumed
     * @param wallSeconds wall time of the run
     * @param trainLoss final mean train loss
     * @param valLoss final mean validation loss
     * @param evalBatches batches behind each of those means
     */
    public record TrainingSummary(TrainingConfig config, int steps, long tokensSeen, double wallSeconds,
            float trainLoss, float valLoss, int evalBatches) {}

    /**
     * @param sha256 of the corpus file's bytes
     * @param characters length of the corpus in characters
     * @param trainTokens tokens in the train split (first 90%)
     * @param valTokens tokens in the validation split (last 10%)
     */
    public record CorpusSummary(String sha256, long characters, int trainTokens, int valTokens) {}
}
