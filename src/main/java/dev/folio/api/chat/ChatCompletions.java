package dev.folio.api.chat;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.folio.api.openai.Usage;
import dev.folio.api.tgi.Tgi;
import java.util.List;

/** The Messages API's response schemas, field for field (TGI's ChatCompletion, ChatCompletionChunk and their parts). */
public final class ChatCompletions {

    private ChatCompletions() {}

    /** TGI's ChatCompletion. */
    public record ChatCompletion(@JsonProperty("id") String id, @JsonProperty("object") String object, @JsonProperty("created") long created,
            @JsonProperty("model") String model, @JsonProperty("system_fingerprint") String systemFingerprint,
            @JsonProperty("choices") List<Complete> choices, @JsonProperty("usage") Usage usage) {}

    /** TGI's ChatCompletionComplete. */
    public record Complete(@JsonProperty("index") int index, @JsonProperty("message") OutputMessage message,
            @JsonProperty("logprobs") Logprobs logprobs, @JsonProperty("finish_reason") String finishReason) {}

    /** TGI's TextMessage, as the reply. */
    public record OutputMessage(@JsonProperty("role") String role, @JsonProperty("content") String content) {

        static OutputMessage assistant(String content) {
            return new OutputMessage("assistant", content);
        }
    }

    /** TGI's ChatCompletionChunk; {@code usage} is null but on the last chunk when stream_options.include_usage asks for it. */
    public record ChatCompletionChunk(@JsonProperty("id") String id, @JsonProperty("object") String object, @JsonProperty("created") long created,
            @JsonProperty("model") String model, @JsonProperty("system_fingerprint") String systemFingerprint,
            @JsonProperty("choices") List<ChunkChoice> choices, @JsonProperty("usage") Usage usage) {}

    /** TGI's ChatCompletionChoice (a chunk's choice). */
    public record ChunkChoice(@JsonProperty("index") int index, @JsonProperty("delta") Delta delta, @JsonProperty("logprobs") Logprobs logprobs,
            @JsonProperty("finish_reason") String finishReason) {}

    /** TGI's ChatCompletionDelta as a TextMessage. */
    public record Delta(@JsonProperty("role") String role, @JsonProperty("content") String content) {}

    /** TGI's ChatCompletionLogprobs. */
    public record Logprobs(@JsonProperty("content") List<Logprob> content) {}

    /** TGI's ChatCompletionLogprob. */
    public record Logprob(@JsonProperty("token") String token, @JsonProperty("logprob") float logprob,
            @JsonProperty("top_logprobs") List<TopLogprob> topLogprobs) {}

    /** TGI's ChatCompletionTopLogprob. */
    public record TopLogprob(@JsonProperty("token") String token, @JsonProperty("logprob") float logprob) {}


    /** TGI's ChatTokenizeResponse ({@code POST /chat_tokenize}): the prompt the template renders, and its tokens. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ChatTokenizeResponse(@JsonProperty("tokenize_response") List<Tgi.SimpleToken> tokenizeResponse,
            @JsonProperty("templated_text") String templatedText) {}
}
