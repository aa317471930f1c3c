package dev.folio.inspect;

import dev.folio.model.LogSumExp;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A next-token distribution from one position's logits: probabilities, entropy, KL divergence and the top few. Log
 * probabilities are kept in double (unlike the sampler's float ones): KL divergences of nearly equal distributions
 * are small differences of large terms.
 */
public record Distribution(float[] logits, double[] logProbs) {

    /** A candidate token with its probability and logit. */
    public record Candidate(int id, double prob, float logit) {}

    public static Distribution of(float[] logits) {
        double logSum = LogSumExp.of(logits);
        double[] logProbs = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            logProbs[i] = logits[i] - logSum;
        }
        return new Distribution(logits, logProbs);
    }

    public double prob(int id) {
        return Math.exp(logProbs[id]);
    }

    public float[] probs() {
        float[] probs = new float[logProbs.length];
        for (int i = 0; i < probs.length; i++) {
            probs[i] = (float) Math.exp(logProbs[i]);
        }
        return probs;
    }

    /** In nats. */
    public double entropy() {
        double entropy = 0;
        for (double logProb : logProbs) {
            entropy -= Math.exp(logProb) * logProb;
        }
        return entropy;
    }

    /** KL(this ‖ other) in nats. */
    public double kl(Distribution other) {
        double kl = 0;
        for (int i = 0; i < logProbs.length; i++) {
            kl += Math.exp(logProbs[i]) * (logProbs[i] - other.logProbs[i]);
        }
        return Math.max(0, kl);
    }

    public int argmax() {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /** The {@code k} most likely tokens, most likely first (ties: lower id first). */
    public List<Candidate> top(int k) {
        List<Candidate> top = new ArrayList<>();
        IntStream.range(0, logits.length).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -logits[i]).thenComparingInt(i -> i))
                .limit(k)
                .forEach(i -> top.add(new Candidate(i, prob(i), logits[i])));
        return top;
    }
}
