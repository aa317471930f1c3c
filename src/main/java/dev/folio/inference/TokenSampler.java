package dev.folio.inference;

import java.util.Arrays;
import java.util.Random;

/**
 * Picks the next token from one position's logits, in Java (DJL's randomMultinomial is not
 * available on PyTorch, and a 65-way choice is cheaper here than another native call). Owns the
 * request's random state, so a seeded request draws the same tokens whatever else is running.
 */
public final class TokenSampler {

    private final SamplingParameters parameters;
    private final Random random;

    public TokenSampler(SamplingParameters parameters, long seed) {
        this.parameters = parameters;
        this.random = new Random(seed);
    }

    /** The chosen token and its log-probability under the model's own (unwarped) distribution. */
    public record Choice(int id, float logprob) {}

    public Choice next(float[] logits) {
        return next(logits, new int[0], 0);
    }

    /**
     * @param history the tokens so far (prompt and generated), for the repetition penalty
     * @param length how many of {@code history} are filled
     */
    public Choice next(float[] logits, int[] history, int length) {
        float[] scores = penalizeRepetition(logits, history, length);
        int id = parameters.sampling() ? sample(scores) : argmax(scores);
        return new Choice(id, logSoftmax(logits)[id]);
    }

    private float[] penalizeRepetition(float[] logits, int[] history, int length) {
        float penalty = parameters.repetitionPenalty();
        if (penalty == 1f || length == 0) {
            return logits;
        }
        float[] scores = logits.clone();
        boolean[] seen = new boolean[logits.length];
        for (int i = 0; i < length; i++) {
            int id = history[i];
            if (!seen[id]) {
                seen[id] = true;
                scores[id] = scores[id] > 0 ? scores[id] / penalty : scores[id] * penalty;
            }
        }
        return scores;
    }

    private int sample(float[] logits) {
        int vocab = logits.length;
        double[] scaled = new double[vocab];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            scaled[i] = logits[i] / parameters.temperature();
            max = Math.max(max, scaled[i]);
        }
        Integer[] order = new Integer[vocab];
        for (int i = 0; i < vocab; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(scaled[b], scaled[a])); // most likely first; stable for ties
        int keep = vocab;
        if (parameters.topK() != null && parameters.topK() > 0) {
            keep = Math.min(keep, parameters.topK());
        }
        double[] probs = new double[keep];
        double total = 0;
        for (int r = 0; r < keep; r++) {
            probs[r] = Math.exp(scaled[order[r]] - max);
            total += probs[r];
        }
        if (parameters.topP() != null && parameters.topP() < 1f) {
            double cumulative = 0;
            for (int r = 0; r < keep; r++) {
                cumulative += probs[r] / total;
                if (cumulative >= parameters.topP()) {
                    keep = r + 1;
                    break;
                }
            }
            total = 0;
            for (int r = 0; r < keep; r++) {
                total += probs[r];
            }
        }
        double u = random.nextDouble() * total;
        for (int r = 0; r < keep; r++) {
            u -= probs[r];
            if (u < 0) {
                return order[r];
            }
        }
        return order[keep - 1];
    }

    static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /** log softmax in double precision, as float. */
    public static float[] logSoftmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float logit : logits) {
            max = Math.max(max, logit);
        }
        double sum = 0;
        for (float logit : logits) {
            sum += Math.exp(logit - max);
        }
        double logZ = max + Math.log(sum);
        float[] out = new float[logits.length];
        for (int i = 0; i < logits.length; i++) {
            out[i] = (float) (logits[i] - logZ);
        }
        return out;
    }
}
