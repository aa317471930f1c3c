package dev.folio.api.openai;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** OpenAI's CreateCompletionRequest (the fields a character model can honour). */
public record CompletionRequest(
        @Schema(description = "Any name: the one served model answers; the response's model says which version", example = "shakespeare-char")
        @JsonProperty("model") String model,
        @Schema(description = "A string or an array of strings", example = "ROMEO:") @JsonProperty("prompt") @NotNull JsonNode prompt,
        @Schema(description = "Default 16; 0 with echo: true scores the prompt without generating", example = "100")
        @JsonProperty("max_tokens") @Min(0) Integer maxTokens,
        @Schema(description = "0 is greedy", example = "0.8") @JsonProperty("temperature") @DecimalMin("0") @DecimalMax("2") Float temperature,
        @JsonProperty("top_p") @DecimalMin(value = "0", inclusive = false) @DecimalMax("1") Float topP,
        @Schema(description = "Choices per prompt; at most folio.generation.max-best-of (/info's limits.max_best_of, 8 by default)")
        @JsonProperty("n") @Min(1) Integer n,
        @JsonProperty("stream") Boolean stream,
        @Schema(description = "include_usage: a last chunk with the usage and no choices, before [DONE]")
        @JsonProperty("stream_options") StreamOptions streamOptions,
        @Schema(description = "A string or an array of up to folio.generation.max-stop-sequences strings (/info's limits.max_stop_sequences, 4 by default)") @JsonProperty("stop") JsonNode stop,
        @JsonProperty("seed") @Min(0) Long seed,
        @JsonProperty("logprobs") @Min(0) @Max(5) Integer logprobs,
        @Schema(description = "Prepend the prompt; with logprobs, also its tokens' logprobs (the first null)")
        @JsonProperty("echo") Boolean echo,
        @Schema(description = "Token id (as a string) → bias in [-100, 100] added to its logit; /tokenize gives ids")
        @JsonProperty("logit_bias") Map<String, Float> logitBias,
        @Schema(description = "Subtracted once from each token already generated; in [-2, 2]")
        @JsonProperty("presence_penalty") @DecimalMin("-2") @DecimalMax("2") Float presencePenalty,
        @Schema(description = "Subtracted per occurrence of a token in the generated text; in [-2, 2]")
        @JsonProperty("frequency_penalty") @DecimalMin("-2") @DecimalMax("2") Float frequencyPenalty,
        @Schema(description = "Samples per prompt, decoded together; the n with the highest mean logprob per token are returned; n ≤ best_of")
        @JsonProperty("best_of") @Min(1) Integer bestOf,
        @Schema(description = "Refused: the model does no infilling")
        @JsonProperty("suffix") String suffix,
        @Schema(description = "TGI's extension: CTRL's repetition penalty, > 0; 1 is none")
        @JsonProperty("repetition_penalty") @DecimalMin(value = "0", inclusive = false) @DecimalMax("10") Float repetitionPenalty,
        @JsonProperty("user") String user,
        @Schema(hidden = true) @JsonAnySetter Map<String, JsonNode> unknownFields) {}
