package dev.folio.inference;

import java.util.List;

/**
 * A finished generation.
 *
 * @param generatedText the new text only
 * @param tokens each generated token with its log-probability (and alternatives, when asked)
 * @param prefill the prompt's tokens with their log-probabilities, when asked (empty otherwise)
 * @param finishReason why it stopped
 * @param seed the seed the sampler used
 * @param promptTokens tokens of the prompt the model saw
 * @param modelVersion the model version that produced it
 */
public record Generation(String generatedText, List<GeneratedToken> tokens, List<PrefillToken> prefill, FinishReason finishReason,
        long seed, int promptTokens, String modelVersion) {

    /** One generated token; {@code topTokens} holds the most likely alternatives at its position when asked. */
    public record GeneratedToken(int id, String text, float logprob, List<TokenLogprob> topTokens) {}

    /** A candidate token and its log-probability under the model. */
    public record TokenLogprob(int id, String text, float logprob) {}

    /** A prompt token; {@code logprob} is null for the first, which has no context. */
    public record PrefillToken(int id, String text, Float logprob) {}
}
