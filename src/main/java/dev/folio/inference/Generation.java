package dev.folio.inference;

import java.util.List;

/**
 * A finished generation.
 *
 * @param generatedText the new text only
 * @param tokens each generated token with its log-probability
 * @param finishReason why it stopped
 * @param seed the seed the sampler used
 * @param promptTokens tokens of the prompt
 * @param modelVersion the model version that produced it
 */
public record Generation(String generatedText, List<GeneratedToken> tokens, FinishReason finishReason, long seed, int promptTokens, String modelVersion) {

    /** One generated token. */
    public record GeneratedToken(int id, String text, float logprob) {}
}
