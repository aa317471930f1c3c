package dev.folio.api.tgi;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** TGI's GenerateParameters (the subset a character model can honour). Unset fields take TGI's defaults. */
public record GenerateParameters(
        @Schema(description = "Maximum number of tokens to generate", example = "200")
        @JsonProperty("max_new_tokens") @Min(1) Integer maxNewTokens,
        @Schema(description = "Sample instead of greedy decoding; also implied by temperature ≠ 1, top_k or top_p")
        @JsonProperty("do_sample") Boolean doSample,
        @Schema(description = "Divides the logits; > 0", example = "0.8")
        @JsonProperty("temperature") @DecimalMin(value = "0", inclusive = false) @DecimalMax("100") Float temperature,
        @Schema(description = "Keep the k most likely tokens", example = "40")
        @JsonProperty("top_k") @Min(1) Integer topK,
        @Schema(description = "Nucleus sampling: keep tokens up to this cumulative probability; in (0, 1)", example = "0.95")
        @JsonProperty("top_p") @DecimalMin(value = "0", inclusive = false) @DecimalMax(value = "1", inclusive = false) Float topP,
        @Schema(description = "Random seed; the same seed and parameters give the same text", example = "42")
        @JsonProperty("seed") @Min(0) Long seed,
        @Schema(description = "Stop when the generated text ends with one of these; at most folio.generation.max-stop-sequences (/info's limits)")
        @JsonProperty("stop") List<@NotEmpty String> stop,
        @Schema(description = "Keep only the last this-many tokens of the inputs")
        @JsonProperty("truncate") @Min(1) Integer truncate,
        @Schema(description = "Penalty on characters already in the text (CTRL); 1 is none", example = "1.1")
        @JsonProperty("repetition_penalty") @DecimalMin(value = "0", inclusive = false) @DecimalMax("10") Float repetitionPenalty,
        @Schema(description = "Prepend the prompt to generated_text (default false on /generate, true on POST /)")
        @JsonProperty("return_full_text") Boolean returnFullText,
        @Schema(description = "Return details: finish reason, seed, each token with its logprob")
        @JsonProperty("details") Boolean details,
        @Schema(description = "Also return the prompt tokens with their logprobs (in details.prefill)")
        @JsonProperty("decoder_input_details") Boolean decoderInputDetails,
        @Schema(description = "Return this many most likely alternatives for each generated token; at most folio.generation.max-top-n-tokens (/info's limits)", example = "5")
        @JsonProperty("top_n_tokens") @Min(0) Integer topNTokens,
        @Schema(description = "Sample this many sequences together and return the one with the highest total logprob (the others in "
                + "details.best_of_sequences); needs sampling; not with streaming", example = "2")
        @JsonProperty("best_of") @Min(1) Integer bestOf,
        @Schema(description = "Locally typical sampling: keep the tokens nearest the distribution's entropy up to this mass; in (0, 1)",
                example = "0.95")
        @JsonProperty("typical_p") @DecimalMin(value = "0", inclusive = false) @DecimalMax("1") Float typicalP,
        @Schema(description = "TGI's: each token's logit loses this times its share of the text so far; in (-2, 2]", example = "0.5")
        @JsonProperty("frequency_penalty") @DecimalMin(value = "-2", inclusive = false) @DecimalMax("2") Float frequencyPenalty,
        @Schema(description = "Constrain the text: {\"type\": \"regex\", \"value\": \"...\"} (a full match), {\"type\": \"json\", "
                + "\"value\": <JSON Schema>} or {\"type\": \"json_schema\", \"value\": {\"name\": ..., \"schema\": <JSON Schema>}}",
                example = "{\"type\": \"regex\", \"value\": \"(ROMEO|JULIET): [A-Z][a-z]+\\\\.\"}")
        @JsonProperty("grammar") JsonNode grammar,
        @Schema(description = "Not supported: a 422 when true (no watermarking)")
        @JsonProperty("watermark") Boolean watermark,
        @Schema(description = "No adapters: only the served model's own name, or absent")
        @JsonProperty("adapter_id") String adapterId,
        @Schema(hidden = true) @JsonAnySetter Map<String, JsonNode> unknownFields) {

    /** TGI: a request without a parameters object samples. */
    static GenerateParameters absent() {
        return new GenerateParameters(null, true, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null);
    }
}
