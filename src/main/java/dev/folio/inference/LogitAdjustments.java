package dev.folio.inference;

import dev.folio.grammar.TokenGrammar;
import java.util.Map;

/**
 * The logits processors a request asks for beyond CTRL's repetition penalty, each applied by its own class in the order
 * logit bias → penalties → grammar mask (before temperature and truncation). Every field's neutral value turns its
 * processor off, so a sequence that asks for none pays nothing.
 *
 * @param logitBias token id → bias added to its logit, in [-100, 100] (OpenAI's logit_bias)
 * @param presencePenalty OpenAI's: subtracted once from every token already generated, in [-2, 2]
 * @param frequencyPenalty OpenAI's: subtracted per occurrence in the generated text, in [-2, 2]
 * @param tgiFrequencyPenalty TGI's frequency_penalty: subtracted times each token's share of the whole text (prompt and
 *     generated), in (-2, 2]
 * @param typicalP locally typical sampling's mass, in (0, 1); null or 1: off
 * @param grammar a regular language the text must stay a prefix of (null: none)
 */
public record LogitAdjustments(Map<Integer, Float> logitBias, float presencePenalty, float frequencyPenalty, float tgiFrequencyPenalty,
        Float typicalP, TokenGrammar grammar) {

    public static final LogitAdjustments NONE = new LogitAdjustments(Map.of(), 0f, 0f, 0f, null, null);

    public LogitAdjustments {
        logitBias = logitBias == null ? Map.of() : Map.copyOf(logitBias);
        for (Map.Entry<Integer, Float> bias : logitBias.entrySet()) {
            if (!(Math.abs(bias.getValue()) <= 100f)) {
                throw new ParameterRefusedException("logit_bias", "values must be in [-100, 100]", bias.getValue() + " for token " + bias.getKey());
            }
        }
        requireRange(presencePenalty, "presence_penalty");
        requireRange(frequencyPenalty, "frequency_penalty");
        requireRange(tgiFrequencyPenalty, "frequency_penalty");
        if (typicalP != null && !(typicalP > 0 && typicalP <= 1)) {
            throw new ParameterRefusedException("typical_p", "must be in (0, 1)", typicalP);
        }
    }

    private static void requireRange(float value, String name) {
        if (!(value >= -2f && value <= 2f)) {
            throw new ParameterRefusedException(name, "must be in [-2, 2]", value);
        }
    }

    /** Whether typical-p truncation is on (it also turns sampling on, as in TGI). */
    public boolean typical() {
        return typicalP != null && typicalP < 1f;
    }

    public LogitAdjustments withGrammar(TokenGrammar newGrammar) {
        return new LogitAdjustments(logitBias, presencePenalty, frequencyPenalty, tgiFrequencyPenalty, typicalP, newGrammar);
    }
}
