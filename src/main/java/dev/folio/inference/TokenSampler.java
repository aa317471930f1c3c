package dev.folio.inference;

import dev.folio.model.LogSumExp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Picks the next token from one position's logits, in Java (DJL's randomMultinomial is not
 * available on PyTorch, and a 65-way choice is cheaper here than another native call). Owns the
 * request's random state, so a seeded request draws the same tokens whatever else is running.
 */
public final class TokenSampler {

    private final SamplingParameters parameters;
    private final Random random;
    private final int promptLength;
    private final List<LogitsProcessor> processors = new ArrayList<>();
    private final GrammarProcessor grammar;

    public TokenSampler(SamplingParameters parameters, long seed) {
        this(parameters, seed, 0);
    }

    /** @param promptLength how many of the history's first tokens are the prompt (OpenAI's penalties count only the rest) */
    public TokenSampler(SamplingParameters parameters, long seed, int promptLength) {
        this.parameters = parameters;
        this.random = new Random(seed);
        this.promptLength = promptLength;
        LogitAdjustments adjustments = parameters.adjustments();
        // the chain, in order: logit bias → penalties → grammar mask; only what the request asks for
        if (!adjustments.logitBias().isEmpty()) {
            processors.add(new LogitBiasProcessor(adjustments.logitBias()));
        }
        if (parameters.repetitionPenalty() != 1f) {
            processors.add(new RepetitionPenaltyProcessor(parameters.repetitionPenalty()));
        }
        if (adjustments.presencePenalty() != 0f || adjustments.frequencyPenalty() != 0f) {
            processors.add(new OpenAiPenaltyProcessor(adjustments.presencePenalty(), adjustments.frequencyPenalty()));
        }
        if (adjustments.tgiFrequencyPenalty() != 0f) {
            processors.add(new TgiFrequencyPenaltyProcessor(adjustments.tgiFrequencyPenalty()));
        }
        this.grammar = adjustments.grammar() != null ? new GrammarProcessor(adjustments.grammar()) : null;
    }

    /**
     * The chosen token and its log-probability under the model's own (unwarped) distribution; {@link #end()} is true for the
     * virtual end-of-sequence a grammar chooses when the text is complete (its logprob: the model's mass outside the grammar).
     */
    public record Choice(int id, float logprob) {
        public static final int END_OF_SEQUENCE = -1;

        public boolean end() {
            return id == END_OF_SEQUENCE;
        }
    }

    public Choice next(float[] logits) {
        return next(logits, new int[0], 0);
    }

    /**
     * @param history the tokens so far (prompt and generated), for the penalties
     * @param length how many of {@code history} are filled
     */
    public Choice next(float[] logits, int[] history, int length) {
        float[] scores = logits;
        if (!processors.isEmpty() || grammar != null) {
            scores = logits.clone();
            for (LogitsProcessor processor : processors) {
                processor.apply(scores, history, length, promptLength);
            }
        }
        if (grammar != null) {
            if (grammar.endsBefore(scores)) {
                return new Choice(Choice.END_OF_SEQUENCE, grammar.logprobOfLeaving(logits));
            }
            grammar.apply(scores, history, length, promptLength);
        }
        int id = parameters.sampling() ? sample(scores) : argmax(scores);
        if (grammar != null) {
            grammar.advance(id);
        }
        return new Choice(id, logSoftmax(logits)[id]);
    }

    private int sample(float[] logits) {
        int vocab = logits.length;
        double[] scaled = new double[vocab];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            scaled[i] = logits[i] / parameters.temperature();
            max = Math.max(max, scaled[i]);
        }
        if (!truncates()) {
            return sampleWhole(scaled, max);
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
        if (parameters.adjustments().typical()) {
            keep = typical(order, probs, keep, total, parameters.adjustments().typicalP());
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
        for (int r = keep - 1; r > 0; r--) { // rounding left u just short: the last candidate that has any probability (never a masked one)
            if (probs[r] > 0) {
                return order[r];
            }
        }
        return order[0];
    }

    /** Whether top-k, top-p or typical-p keeps only some candidates (which takes them in order of probability). */
    private boolean truncates() {
        return (parameters.topK() != null && parameters.topK() > 0) || (parameters.topP() != null && parameters.topP() < 1f)
                || parameters.adjustments().typical();
    }

    /** Every token a candidate: one draw over the vocabulary in id order, no sort. */
    private int sampleWhole(double[] scaled, double max) {
        double[] probs = new double[scaled.length];
        double total = 0;
        for (int i = 0; i < scaled.length; i++) {
            probs[i] = Math.exp(scaled[i] - max);
            total += probs[i];
        }
        double u = random.nextDouble() * total;
        int last = 0;
        for (int i = 0; i < probs.length; i++) {
            if (probs[i] > 0) {
                last = i;
                u -= probs[i];
                if (u < 0) {
                    return i;
                }
            }
        }
        return last; // rounding left u just short: the last token with any probability (never a masked one)
    }

    /**
     * Locally typical sampling (Meister et al.; Hugging Face's TypicalLogitsWarper): keeps the tokens whose surprisal is
     * closest to the distribution's entropy until they hold {@code mass} of the probability. Reorders {@code order} and
     * {@code probs} (the first {@code keep} candidates) so the kept ones come first.
     *
     * @return how many to keep
     */
    private static int typical(Integer[] order, double[] probs, int keep, double total, float mass) {
        double entropy = 0;
        for (int r = 0; r < keep; r++) {
            double p = probs[r] / total;
            if (p > 0) {
                entropy -= p * Math.log(p);
            }
        }
        Integer[] byTypicality = new Integer[keep];
        double[] distance = new double[keep];
        for (int r = 0; r < keep; r++) {
            byTypicality[r] = r;
            double p = probs[r] / total;
            distance[r] = p > 0 ? Math.abs(-Math.log(p) - entropy) : Double.POSITIVE_INFINITY;
        }
        Arrays.sort(byTypicality, (a, b) -> Double.compare(distance[a], distance[b]));
        Integer[] reordered = new Integer[keep];
        double[] reorderedProbs = new double[keep];
        int kept = keep;
        double cumulative = 0;
        for (int r = 0; r < keep; r++) {
            reordered[r] = order[byTypicality[r]];
            reorderedProbs[r] = probs[byTypicality[r]];
            cumulative += reorderedProbs[r] / total;
            if (cumulative >= mass && kept == keep) {
                kept = r + 1; // the smallest typical set holding the mass, at least one token
            }
        }
        System.arraycopy(reordered, 0, order, 0, keep);
        System.arraycopy(reorderedProbs, 0, probs, 0, keep);
        return kept;
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
        double logZ = LogSumExp.of(logits);
        float[] out = new float[logits.length];
        for (int i = 0; i < logits.length; i++) {
            out[i] = (float) (logits[i] - logZ);
        }
        return out;
    }
}
