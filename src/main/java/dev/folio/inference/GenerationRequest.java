package dev.folio.inference;

/**
 * What to generate and what to report.
 *
 * @param promptIds the prompt, already tokenized and cropped to the context window
 * @param sampling how to choose tokens and when to stop
 * @param topNTokens report this many most likely alternatives per generated token (0: none)
 * @param prefillLogprobs report the prompt tokens' log-probabilities
 */
public record GenerationRequest(int[] promptIds, SamplingParameters sampling, int topNTokens, boolean prefillLogprobs) {

    public GenerationRequest {
        if (promptIds.length == 0) {
            throw new IllegalArgumentException("inputs must not be empty");
        }
        if (topNTokens < 0) {
            throw new IllegalArgumentException("topNTokens must not be negative");
        }
    }

    public static GenerationRequest of(int[] promptIds, SamplingParameters sampling) {
        return new GenerationRequest(promptIds, sampling, 0, false);
    }
}
