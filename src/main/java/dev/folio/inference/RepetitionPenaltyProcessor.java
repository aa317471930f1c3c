package dev.folio.inference;

/** CTRL's repetition penalty (TGI's repetition_penalty): a token already in the text has its logit divided (if positive) or multiplied (if negative). */
final class RepetitionPenaltyProcessor implements LogitsProcessor {

    private final float penalty;

    RepetitionPenaltyProcessor(float penalty) {
        this.penalty = penalty;
    }

    @Override
    public void apply(float[] scores, int[] tokens, int length, int promptLength) {
        boolean[] seen = new boolean[scores.length];
        for (int i = 0; i < length; i++) {
            int id = tokens[i];
            if (!seen[id]) {
                seen[id] = true;
                scores[id] = scores[id] > 0 ? scores[id] / penalty : scores[id] * penalty;
            }
        }
    }
}
