package dev.folio.inference;

import java.util.List;

/**
 * How to pick each next token and when to stop, as TGI's generate parameters.
 *
 * @param maxNewTokens tokens to generate at most
 * @param doSample sample rather than take the most likely token; sampling is also on whenever a
 *     warper (temperature ≠ 1, top-k, top-p, typical-p) is set, as in TGI
 * @param temperature divides the logits; must be positive
 * @param topK keep only the k most likely tokens (null or 0: all)
 * @param topP keep the smallest set of tokens whose probability reaches p (null or 1: all)
 * @param seed random seed; null picks one (reported back)
 * @param stop stop sequences; generation ends once the generated text ends with one of them
 * @param repetitionPenalty CTRL's penalty on tokens already in the text (1: none): positive logits are
 *     divided by it, negative ones multiplied
 * @param adjustments the other logits processors (logit bias, penalties, typical-p, grammar)
 */
public record SamplingParameters(int maxNewTokens, boolean doSample, float temperature, Integer topK, Float topP, Long seed,
        List<String> stop, float repetitionPenalty, LogitAdjustments adjustments) {

    public SamplingParameters(int maxNewTokens, boolean doSample, float temperature, Integer topK, Float topP, Long seed, List<String> stop,
            float repetitionPenalty) {
        this(maxNewTokens, doSample, temperature, topK, topP, seed, stop, repetitionPenalty, LogitAdjustments.NONE);
    }

    public SamplingParameters(int maxNewTokens, boolean doSample, float temperature, Integer topK, Float topP, Long seed, List<String> stop) {
        this(maxNewTokens, doSample, temperature, topK, topP, seed, stop, 1f);
    }

    public SamplingParameters {
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("maxNewTokens must be at least 1");
        }
        if (!(temperature > 0) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a positive number");
        }
        if (topK != null && topK < 0) {
            throw new IllegalArgumentException("topK must not be negative");
        }
        if (topP != null && !(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1]");
        }
        if (!(repetitionPenalty > 0) || Float.isInfinite(repetitionPenalty)) {
            throw new IllegalArgumentException("repetitionPenalty must be a positive number");
        }
        stop = stop == null ? List.of() : List.copyOf(stop);
        adjustments = adjustments == null ? LogitAdjustments.NONE : adjustments;
    }

    /** The same request with another seed (best_of's samples differ from each other, reproducibly). */
    public SamplingParameters withSeed(Long newSeed) {
        return new SamplingParameters(maxNewTokens, doSample, temperature, topK, topP, newSeed, stop, repetitionPenalty, adjustments);
    }

    /** Greedy decoding of up to {@code maxNewTokens}. */
    public static SamplingParameters greedy(int maxNewTokens) {
        return new SamplingParameters(maxNewTokens, false, 1f, null, null, null, List.of());
    }

    /** Whether tokens are drawn at random (TGI: do_sample, or any warper set). */
    public boolean sampling() {
        return doSample || temperature != 1f || (topK != null && topK > 0) || (topP != null && topP < 1f) || adjustments.typical();
    }
}
