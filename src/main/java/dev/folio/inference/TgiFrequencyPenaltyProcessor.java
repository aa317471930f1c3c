package dev.folio.inference;

/**
 * TGI's frequency_penalty, by TGI's definition: each token's logit loses the penalty times the token's share of the text so
 * far, prompt included ({@code logit[j] -= penalty * count[j] / length}), so it is bounded by the penalty whatever the length.
 */
final class TgiFrequencyPenaltyProcessor implements LogitsProcessor {

    private final float penalty;

    TgiFrequencyPenaltyProcessor(float penalty) {
        this.penalty = penalty;
    }

    @Override
    public void apply(float[] scores, int[] tokens, int length, int promptLength) {
        if (length == 0) {
            return;
        }
        int[] counts = new int[scores.length];
        for (int i = 0; i < length; i++) {
            counts[tokens[i]]++;
        }
        for (int id = 0; id < scores.length; id++) {
            scores[id] -= penalty * counts[id] / length;
        }
    }
}
