package dev.folio.inference;

import java.util.Map;

/** OpenAI's logit_bias: a fixed amount added to chosen tokens' logits (−100 bans a token, +100 all but forces it). */
final class LogitBiasProcessor implements LogitsProcessor {

    private final int[] ids;
    private final float[] biases;

    LogitBiasProcessor(Map<Integer, Float> bias) {
        ids = bias.keySet().stream().mapToInt(Integer::intValue).toArray();
        biases = new float[ids.length];
        for (int i = 0; i < ids.length; i++) {
            biases[i] = bias.get(ids[i]);
        }
    }

    @Override
    public void apply(float[] scores, int[] tokens, int length, int promptLength) {
        for (int i = 0; i < ids.length; i++) {
            scores[ids[i]] += biases[i];
        }
    }
}
