package dev.folio.api.openai;

import dev.folio.api.GenerationSpec;
import dev.folio.inference.FinishReason;
import java.util.Map;

/**
 * How OpenAI's completions and chat routes sample, said once for both: temperature 0 is greedy decoding, top_p 1 is no
 * truncation, the penalties and logit_bias pass as given, and a seeded request's n choices take seed, seed + 1, ...
 * ({@link dev.folio.api.ValidGeneration#samples}). Also their finish reasons.
 */
public record OpenAiSampling(Float temperature, Float topP, Long seed, Float presencePenalty, Float frequencyPenalty,
        Float repetitionPenalty, Map<String, Float> logitBias) {

    /** Nothing set: OpenAI's defaults. */
    public static final OpenAiSampling DEFAULT = new OpenAiSampling(null, null, null, null, null, null, null);

    /** Temperature 0: every sample would be the same. */
    public boolean greedy() {
        return temperature != null && temperature == 0f;
    }

    /** Sets these options on a request's spec. */
    public GenerationSpec.Builder onto(GenerationSpec.Builder spec) {
        return spec.doSample(!greedy())
                .temperature(greedy() ? null : temperature)
                .topP(topP != null && topP < 1f ? topP : null)
                .seed(seed)
                .presencePenalty(presencePenalty)
                .frequencyPenalty(frequencyPenalty)
                .repetitionPenalty(repetitionPenalty)
                .logitBias(logitBias == null ? Map.of() : logitBias);
    }

    /** OpenAI's finish reasons: a stop sequence (or a chat's end of speech) is "stop", the token budget "length". */
    public static String finishReason(FinishReason reason) {
        return reason == FinishReason.LENGTH ? "length" : "stop";
    }
}
