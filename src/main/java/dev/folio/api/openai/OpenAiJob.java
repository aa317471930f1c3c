package dev.folio.api.openai;

import dev.folio.api.GenerationSpec;
import java.util.List;

/**
 * One request to OpenAI's completions or chat route, in the terms both share: chat is a completion whose one prompt the
 * model's chat template renders, as TGI's {@code try_into_generate} turns a chat request into a generate request.
 * {@link OpenAiRunner} runs it; built by name ({@link #builder}).
 *
 * @param prompts one or more prompts, each made on the model version that validates it
 * @param fields the route's names for the fields validation reports on
 * @param model the model asked for (null: the default)
 * @param maxTokens the token budget per choice (the route's default applied)
 * @param sampling temperature, top_p, seed, penalties, logit_bias
 * @param stop the client's stop sequences
 * @param n choices per prompt
 * @param bestOf samples per prompt to choose the n best of (null: n)
 * @param logprobs alternatives per token to report; -1: no logprobs at all
 * @param stream answer as server-sent chunks
 * @param includeUsage with stream, a last chunk with the usage
 * @param grammar a grammar the text must follow (null: none)
 */
public record OpenAiJob(List<GenerationSpec.PromptSource> prompts, GenerationSpec.Fields fields, String model, int maxTokens,
        OpenAiSampling sampling, List<String> stop, int n, Integer bestOf, int logprobs, boolean stream, boolean includeUsage,
        GenerationSpec.GrammarRequest grammar) {

    public OpenAiJob {
        prompts = List.copyOf(prompts);
        stop = List.copyOf(stop);
    }

    /** What to generate for one of the prompts, before validation. */
    GenerationSpec spec(GenerationSpec.PromptSource prompt) {
        return sampling.onto(GenerationSpec.builder(prompt, fields))
                .model(model)
                .maxNewTokens(maxTokens)
                .stop(stop)
                .topNTokens(Math.max(0, logprobs))
                .grammar(grammar)
                .build();
    }

    public static Builder builder(List<GenerationSpec.PromptSource> prompts, GenerationSpec.Fields fields) {
        return new Builder(prompts, fields);
    }

    /** Sets options by name; unset ones keep OpenAI's defaults (one choice, no logprobs, no stream). */
    public static final class Builder {
        private final List<GenerationSpec.PromptSource> prompts;
        private final GenerationSpec.Fields fields;
        private String model;
        private int maxTokens;
        private OpenAiSampling sampling = OpenAiSampling.DEFAULT;
        private List<String> stop = List.of();
        private int n = 1;
        private Integer bestOf;
        private int logprobs = -1;
        private boolean stream;
        private boolean includeUsage;
        private GenerationSpec.GrammarRequest grammar;

        private Builder(List<GenerationSpec.PromptSource> prompts, GenerationSpec.Fields fields) {
            this.prompts = prompts;
            this.fields = fields;
        }

        public Builder model(String value) {
            model = value;
            return this;
        }

        public Builder maxTokens(int value) {
            maxTokens = value;
            return this;
        }

        public Builder sampling(OpenAiSampling value) {
            sampling = value;
            return this;
        }

        public Builder stop(List<String> value) {
            stop = value;
            return this;
        }

        public Builder n(Integer value) {
            n = value != null ? value : 1;
            return this;
        }

        public Builder bestOf(Integer value) {
            bestOf = value;
            return this;
        }

        public Builder logprobs(int value) {
            logprobs = value;
            return this;
        }

        public Builder stream(Boolean value) {
            stream = Boolean.TRUE.equals(value);
            return this;
        }

        public Builder includeUsage(boolean value) {
            includeUsage = value;
            return this;
        }

        public Builder grammar(GenerationSpec.GrammarRequest value) {
            grammar = value;
            return this;
        }

        public OpenAiJob build() {
            return new OpenAiJob(prompts, fields, model, maxTokens, sampling, stop, n, bestOf, logprobs, stream, includeUsage, grammar);
        }
    }
}
