package dev.folio.api.chat;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.folio.api.openai.StreamOptions;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * TGI's ChatRequest (the Messages API), which is OpenAI's chat completion request, plus OpenAI's
 * {@code max_completion_tokens}. Fields the model cannot honour yet are refused by name, never ignored.
 */
public record ChatRequest(
        @Schema(description = "The conversation so far", requiredMode = Schema.RequiredMode.REQUIRED,
                example = "[{\"role\": \"system\", \"content\": \"A street in Verona.\"}, {\"role\": \"user\", \"content\": \"Good morrow, fair maid.\"}]")
        @JsonProperty("messages") @NotNull(message = "is required: the conversation, a list of {role, content}") List<@Valid Message> messages,
        @Schema(description = "Any name: the one served model answers, and the response's model says which version", example = "shakespeare-char")
        @JsonProperty("model") String model,
        @Schema(description = "Reply budget in tokens (characters); default folio.chat.default-max-tokens", example = "200")
        @JsonProperty("max_tokens") Integer maxTokens,
        @Schema(description = "OpenAI's newer name for max_tokens")
        @JsonProperty("max_completion_tokens") Integer maxCompletionTokens,
        @Schema(description = "0 is greedy", example = "0.8")
        @JsonProperty("temperature") @DecimalMin("0") @DecimalMax("2") Float temperature,
        @Schema(example = "0.95")
        @JsonProperty("top_p") @DecimalMin(value = "0", inclusive = false) @DecimalMax("1") Float topP,
        @Schema(description = "Replies to generate; they decode together; at most folio.generation.max-best-of (/info's limits.max_best_of, "
                + "8 by default)", example = "1")
        @JsonProperty("n") @Min(1) Integer n,
        @Schema(description = "Same seed and parameters, same reply (choice i uses seed + i)", example = "42")
        @JsonProperty("seed") @Min(0) Long seed,
        @Schema(description = "A string or up to folio.generation.max-stop-sequences strings (/info's limits.max_stop_sequences, 4 by default); the reply also ends where the model's template says (the end of a speech)")
        @JsonProperty("stop") JsonNode stop,
        @Schema(description = "Return each reply token's logprob")
        @JsonProperty("logprobs") Boolean logprobs,
        @Schema(description = "Most likely alternatives per token (needs logprobs: true)")
        @JsonProperty("top_logprobs") @Min(0) @Max(20) Integer topLogprobs,
        @Schema(description = "Stream chat.completion.chunk events, ending with data: [DONE]")
        @JsonProperty("stream") Boolean stream,
        @JsonProperty("stream_options") StreamOptions streamOptions,
        @Schema(description = "OpenAI's: subtracted once from each token already in the reply; in [-2, 2]", example = "0.5")
        @JsonProperty("presence_penalty") @DecimalMin("-2") @DecimalMax("2") Float presencePenalty,
        @Schema(description = "OpenAI's: subtracted per occurrence of a token in the reply; in [-2, 2]", example = "0.5")
        @JsonProperty("frequency_penalty") @DecimalMin("-2") @DecimalMax("2") Float frequencyPenalty,
        @Schema(description = "Token id (as a string) → bias in [-100, 100] added to its logit; /tokenize gives ids")
        @JsonProperty("logit_bias") JsonNode logitBias,
        @Schema(description = "{\"type\": \"text\"}, {\"type\": \"json_object\"} or {\"type\": \"json_schema\", \"json_schema\": {\"name\", "
                + "\"schema\"}} (OpenAI's), or TGI's grammar {\"type\": \"json\" | \"regex\", \"value\": ...}: the reply follows it")
        @JsonProperty("response_format") JsonNode responseFormat,
        @Schema(description = "TGI's extension: CTRL's repetition penalty, > 0; 1 is none")
        @JsonProperty("repetition_penalty") @DecimalMin(value = "0", inclusive = false) @DecimalMax("10") Float repetitionPenalty,
        @Schema(description = "Refused: the model has no tool use")
        @JsonProperty("tools") JsonNode tools,
        @Schema(description = "Only \"none\" or \"auto\" (without tools)")
        @JsonProperty("tool_choice") JsonNode toolChoice,
        @JsonProperty("tool_prompt") String toolPrompt,
        @JsonProperty("user") String user,
        @Schema(hidden = true) @JsonAnySetter Map<String, JsonNode> unknownFields) {

    /**
     * One message: {@code content} is a string or a list of {@code {"type": "text", "text": ...}} parts; {@code name} is the
     * speaker (the play-script template's NAME).
     */
    public record Message(
            @Schema(allowableValues = {"system", "developer", "user", "assistant"}, example = "user")
            @JsonProperty("role") String role,
            @Schema(description = "A string or an array of text parts", example = "Good morrow, fair maid.")
            @JsonProperty("content") JsonNode content,
            @Schema(description = "Who speaks it", example = "ROMEO")
            @JsonProperty("name") String name,
            @JsonProperty("tool_calls") JsonNode toolCalls,
            @JsonProperty("tool_call_id") String toolCallId) {}
}
