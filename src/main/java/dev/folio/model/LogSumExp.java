package dev.folio.model;

/** The log of a softmax's normaliser, log Σ exp(logit), in double precision and shifted by the largest logit so no exp overflows. */
public final class LogSumExp {

    private LogSumExp() {}

    /** log Σ exp(logits[i]); a log probability is then {@code logits[i] - of(logits)}. */
    public static double of(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float logit : logits) {
            max = Math.max(max, logit);
        }
        double sum = 0;
        for (float logit : logits) {
            sum += Math.exp(logit - max);
        }
        return max + Math.log(sum);
    }
}
