package dev.folio.api;

import dev.folio.store.LoadedModel;
import java.util.List;

/**
 * What a protocol asks to generate, before validation: each option a named field, set through a builder, so a
 * new option is one more field rather than one more positional argument. {@link GenerationService#validate}
 * turns it into a {@link ValidGeneration}, the only thing the engine sees.
 *
 * @param prompt the prompt, made from the model version that validates it
 * @param truncate keep only the last this-many prompt tokens (null: the context window)
 * @param maxNewTokens tokens to generate at most (null: the configured default)
 * @param doSample sample rather than decode greedily
 * @param temperature null: 1
 * @param topK null: off
 * @param topP null: off
 * @param seed null: a random one, reported back
 * @param stop the client's stop sequences
 * @param repetitionPenalty CTRL's; null: 1 (none)
 * @param topNTokens alternatives to report per generated token
 * @param prefillLogprobs report the prompt tokens' log-probabilities
 * @param typicalP locally typical sampling's mass (null: off)
 * @param logitBias OpenAI's logit_bias: token id (as the client wrote it) → bias
 * @param presencePenalty OpenAI's (null: 0)
 * @param frequencyPenalty OpenAI's (null: 0)
 * @param tgiFrequencyPenalty TGI's frequency_penalty (null: 0)
 * @param grammar a grammar the text must follow (null: none)
 * @param model the model the client asked for (null: the default)
 * @param fields what the client calls each field, for error messages in its own terms
 */
public record GenerationSpec(PromptSource prompt, Integer truncate, Integer maxNewTokens, boolean doSample, Float temperature, Integer topK,
        Float topP, Long seed, List<String> stop, Float repetitionPenalty, int topNTokens, boolean prefillLogprobs,
        Float typicalP, java.util.Map<String, Float> logitBias, Float presencePenalty, Float frequencyPenalty, Float tgiFrequencyPenalty,
        GrammarRequest grammar, String model, Fields fields) {

    /**
     * A grammar as the client gave it, compiled against the model's vocabulary at validation.
     *
     * @param type regex, json_schema (value: the schema) or json_object (any object)
     * @param value the regex or the schema's JSON text
     * @param field where the client put it, for errors (parameters.grammar, response_format)
     */
    public record GrammarRequest(String type, String value, String field) {}

    public GenerationSpec {
        stop = stop == null ? List.of() : List.copyOf(stop);
    }

    /**
     * A prompt's text, and the stop sequences its chat template sets (the end of a speech; not counted against the
     * client's limit).
     */
    public record Prompt(String text, List<String> modelStop) {
        public Prompt {
            modelStop = modelStop == null ? List.of() : List.copyOf(modelStop);
        }
    }

    /**
     * Makes the prompt from the model version that validates the request: a text as given, or a conversation the version's
     * chat template renders. So a request is rendered, encoded and run on one version, under one lease.
     */
    @FunctionalInterface
    public interface PromptSource {
        Prompt on(LoadedModel model);
    }

    /**
     * The wire names of the fields that validation reports on.
     *
     * @param inputs the prompt's field
     * @param maxNewTokens the token budget's field
     * @param stop the stop sequences' field
     * @param topNTokens the alternatives' field
     */
    public record Fields(String inputs, String maxNewTokens, String stop, String topNTokens) {
        public static final Fields TGI = new Fields("inputs", "max_new_tokens", "parameters.stop", "top_n_tokens");
        public static final Fields OPENAI_COMPLETIONS = new Fields("prompt", "max_tokens", "stop", "logprobs");
        public static final Fields CHAT = new Fields("messages", "max_tokens", "stop", "top_logprobs");
    }

    /** A request for a text prompt, the same on every version. */
    public static Builder builder(String inputs, Fields fields) {
        return new Builder(text(inputs), fields);
    }

    /** A text prompt, the same on every version. */
    public static PromptSource text(String inputs) {
        return model -> new Prompt(inputs, List.of());
    }

    public static Builder builder(PromptSource prompt, Fields fields) {
        return new Builder(prompt, fields);
    }

    /** Sets options by name; unset ones keep their defaults. */
    public static final class Builder {
        private final PromptSource prompt;
        private final Fields fields;
        private Integer truncate;
        private Integer maxNewTokens;
        private boolean doSample;
        private Float temperature;
        private Integer topK;
        private Float topP;
        private Long seed;
        private List<String> stop = List.of();
        private Float repetitionPenalty;
        private int topNTokens;
        private boolean prefillLogprobs;
        private Float typicalP;
        private java.util.Map<String, Float> logitBias = java.util.Map.of();
        private Float presencePenalty;
        private Float frequencyPenalty;
        private Float tgiFrequencyPenalty;
        private GrammarRequest grammar;
        private String model;

        private Builder(PromptSource prompt, Fields fields) {
            this.prompt = prompt;
            this.fields = fields;
        }

        public Builder truncate(Integer value) {
            truncate = value;
            return this;
        }

        public Builder maxNewTokens(Integer value) {
            maxNewTokens = value;
            return this;
        }

        public Builder doSample(boolean value) {
            doSample = value;
            return this;
        }

        public Builder temperature(Float value) {
            temperature = value;
            return this;
        }

        public Builder topK(Integer value) {
            topK = value;
            return this;
        }

        public Builder topP(Float value) {
            topP = value;
            return this;
        }

        public Builder seed(Long value) {
            seed = value;
            return this;
        }

        public Builder stop(List<String> value) {
            stop = value;
            return this;
        }

        public Builder repetitionPenalty(Float value) {
            repetitionPenalty = value;
            return this;
        }

        public Builder topNTokens(int value) {
            topNTokens = value;
            return this;
        }

        public Builder prefillLogprobs(boolean value) {
            prefillLogprobs = value;
            return this;
        }

        public Builder typicalP(Float value) {
            typicalP = value;
            return this;
        }

        public Builder logitBias(java.util.Map<String, Float> value) {
            logitBias = value == null ? java.util.Map.of() : value;
            return this;
        }

        public Builder presencePenalty(Float value) {
            presencePenalty = value;
            return this;
        }

        public Builder frequencyPenalty(Float value) {
            frequencyPenalty = value;
            return this;
        }

        public Builder tgiFrequencyPenalty(Float value) {
            tgiFrequencyPenalty = value;
            return this;
        }

        public Builder grammar(GrammarRequest value) {
            grammar = value;
            return this;
        }

        public Builder model(String value) {
            model = value;
            return this;
        }

        public GenerationSpec build() {
            return new GenerationSpec(prompt, truncate, maxNewTokens, doSample, temperature, topK, topP, seed, stop, repetitionPenalty,
                    topNTokens, prefillLogprobs, typicalP, logitBias, presencePenalty, frequencyPenalty, tgiFrequencyPenalty, grammar, model, fields);
        }
    }
}
