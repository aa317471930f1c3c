package dev.folio.api.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** OpenAI's legacy completions schemas, field for field: the completion (also each streamed chunk), its choices, logprobs, models. */
public final class Completions {

    private Completions() {}

    /** OpenAI's completion choice. */
    public record Choice(@JsonProperty("text") String text, @JsonProperty("index") int index, @JsonProperty("logprobs") Logprobs logprobs,
            @JsonProperty("finish_reason") String finishReason) {}

    /** OpenAI's legacy logprobs object. */
    public record Logprobs(@JsonProperty("tokens") List<String> tokens, @JsonProperty("token_logprobs") List<Float> tokenLogprobs,
            @JsonProperty("top_logprobs") List<Map<String, Float>> topLogprobs, @JsonProperty("text_offset") List<Integer> textOffset) {}

    /** A completion, and each chunk of a streamed one ({@code usage} only on the whole, or on the last chunk when asked). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Completion(@JsonProperty("id") String id, @JsonProperty("object") String object, @JsonProperty("created") long created,
            @JsonProperty("model") String model, @JsonProperty("choices") List<Choice> choices, @JsonProperty("usage") Usage usage) {}

    public record ModelCard(@JsonProperty("id") String id, @JsonProperty("object") String object, @JsonProperty("created") long created,
            @JsonProperty("owned_by") String ownedBy) {}

    public record ModelList(@JsonProperty("object") String object, @JsonProperty("data") List<ModelCard> data) {}
}
