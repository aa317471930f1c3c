package dev.folio.inference;

import java.util.List;

/**
 * A finished generation.
 *
 * @param generatedText the new text only
 * @param tokens each generated token with its log-probability (and alternatives, when asked)
 * @param prefill the prompt's tokens with their log-probabilities, when asked (empty otherwise)
 * @param finishReason why it stopped
 * @param seed the seed the sampler drew with; null when nothing was drawn at random (greedy), as TGI reports it
 * @param promptTokens tokens of the prompt the model saw
 * @param modelVersion the model version that produced it
 */
public record Generation(String generatedText, List<GeneratedToken> tokens, List<PrefillToken> prefill, FinishReason finishReason,
        Long seed, int promptTokens, String modelVersion) {

    /**
     * One generated token; {@code topTokens} holds the most likely alternatives at its position when asked. A special
     * token is the virtual end-of-sequence a grammar ends with: no text, id one past the vocabulary (TGI's EOS token).
     */
    public record GeneratedToken(int id, String text, float logprob, List<TokenLogprob> topTokens, boolean special) {

        public GeneratedToken(int id, String text, float logprob, List<TokenLogprob> topTokens) {
            this(id, text, logprob, topTokens, false);
        }

        /** The grammar's end of sequence. */
        static GeneratedToken endOfSequence(int vocabSize, float logprob, List<TokenLogprob> topTokens) {
            return new GeneratedToken(vocabSize, "", logprob, topTokens, true);
        }
    }

    /** A candidate token and its log-probability under the model. */
    public record TokenLogprob(int id, String text, float logprob) {}

    /** A prompt token; {@code logprob} is null for the first, which has no context. */
    public record PrefillToken(int id, String text, Float logprob) {}
}
