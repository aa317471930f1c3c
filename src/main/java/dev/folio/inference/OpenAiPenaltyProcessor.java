package dev.folio.inference;

/**
 * OpenAI's presence and frequency penalties, by OpenAI's definition: {@code logit[j] -= count[j] * frequency + (count[j] > 0) * presence},
 * counting only the generated tokens (not the prompt), as OpenAI's API and vLLM do.
 */
final class OpenAiPenaltyProcessor implements LogitsProcessor {

    private final float presence;
    private final float frequency;

    OpenAiPenaltyProcessor(float presence, float frequency) {
        this.presence = presence;
        this.frequency = frequency;
    }

    @Override
    public void apply(float[] scores, int[] tokens, int length, int promptLength) {
        int[] counts = new int[scores.length];
        for (int i = promptLength; i < length; i++) {
            counts[tokens[i]]++;
        }
        for (int id = 0; id < scores.length; id++) {
            if (counts[id] > 0) {
                scores[id] -= counts[id] * frequency + presence;
            }
        }
    }
}
