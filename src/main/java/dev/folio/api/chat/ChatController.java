package dev.folio.api.chat;

import dev.folio.FolioProperties;
import dev.folio.api.GenerationSpec;
import dev.folio.api.GrammarRequests;
import dev.folio.api.IgnoredFields;
import dev.folio.api.InvalidRequestException;
import dev.folio.api.ModelRouter;
import dev.folio.api.ModelVersionHeader;
import dev.folio.api.Protocol;
import dev.folio.api.WireProtocol;
import dev.folio.api.chat.ChatCompletions.ChatCompletion;
import dev.folio.api.chat.ChatCompletions.ChatTokenizeResponse;
import dev.folio.api.openai.OpenAiJob;
import dev.folio.api.openai.OpenAiRunner;
import dev.folio.api.openai.OpenAiSampling;
import dev.folio.api.openai.StreamOptions;
import dev.folio.api.openai.TextList;
import dev.folio.api.tgi.Tgi;
import dev.folio.store.ModelRegistry;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.Valid;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;
import tools.jackson.databind.JsonNode;

/**
 * TGI's Messages API ({@code POST /v1/chat/completions}, OpenAI's chat completions) and {@code POST /chat_tokenize}. A chat
 * request is a completion of one prompt, the conversation the model's chat template renders ({@link ChatPrompts}), run by
 * the {@link OpenAiRunner} that runs completions and written in the Messages API's shapes ({@link ChatWire}).
 */
@Protocol(WireProtocol.TGI)
@RestController
@Tag(name = "Chat", description = "TGI's Messages API: OpenAI-compatible chat completions over the model's chat template")
public class ChatController {

    private static final String EXAMPLE = "{\"model\": \"shakespeare-char\", \"messages\": [{\"role\": \"system\", \"content\": \"A street in Verona.\"}, "
            + "{\"role\": \"user\", \"content\": \"Good morrow, fair maid. What news?\"}], \"max_tokens\": 200, \"temperature\": 0.8, \"seed\": 1}";

    private static final ChatWire WIRE = new ChatWire();

    private final OpenAiRunner runner;
    private final ModelRouter router;
    private final ChatPrompts prompts;
    private final int defaultMaxTokens;

    public ChatController(OpenAiRunner runner, ModelRouter router, ChatPrompts prompts, FolioProperties properties) {
        this.runner = runner;
        this.router = router;
        this.prompts = prompts;
        this.defaultMaxTokens = properties.chat().defaultMaxTokens();
    }

    @Operation(summary = "Create a chat completion",
            description = "The conversation is rendered by the served version's chat template (the play-script default: each message a "
                    + "speech NAME:\\n<content>\\n\\n, NAME the message's name or folio.chat.speakers' default for its role, a system message "
                    + "a stage direction), then the model speaks as the assistant until the end of its speech (finish_reason stop) or "
                    + "max_tokens (length). Typographic characters the vocabulary lacks are normalised (curly quotes, dashes, ...); any "
                    + "other character outside it is a 422 naming the message. A template or speaker name the model's vocabulary cannot "
                    + "spell (the play-script default on a model trained without capitals or ':') is a 422 that names the remedy: train "
                    + "with --chat-template, set a template (PUT /admin/models/{version}/chat-template), or set folio.chat.speakers.*. "
                    + "A field one edit from a known one (temprature) is a 422 asking 'did you mean temperature?'; other unknown fields "
                    + "are ignored and named in X-Folio-Ignored-Fields. model picks a served model (with one served, any name is "
                    + "served by it; with several, an unknown name is a 404 listing them); the response's model is <name>:<version>. "
                    + "With stream: true, chat.completion.chunk events end with data: [DONE]. "
                    + "response_format (json_object, json_schema, or TGI's grammar) constrains the reply; presence_penalty, frequency_penalty "
                    + "and logit_bias are OpenAI's; tools are refused with a 422 (no tool use).",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = ChatRequest.class), examples = @ExampleObject(name = "a scene", value = EXAMPLE))))
    @ApiResponse(responseCode = "200", description = "The reply, or a stream of chunks",
            content = {@Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = ChatCompletion.class)),
                    @Content(mediaType = MediaType.TEXT_EVENT_STREAM_VALUE, schema = @Schema(implementation = ChatCompletions.ChatCompletionChunk.class))})
    @Protocol(WireProtocol.OPENAI)
    @PostMapping(path = "/v1/chat/completions", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = {MediaType.APPLICATION_JSON_VALUE, MediaType.TEXT_EVENT_STREAM_VALUE})
    public ResponseEntity<ResponseBodyEmitter> complete(@Valid @RequestBody ChatRequest request, HttpServletRequest http, HttpServletResponse servlet)
            throws IOException {
        IgnoredFields.report(servlet, new IgnoredFields.Unknown("", request.unknownFields(), ChatRequest.class));
        refuseUnsupported(request);
        return runner.answer(job(request), WIRE, http);
    }

    @Operation(summary = "Template and tokenize a chat request",
            description = "TGI's /chat_tokenize: the prompt the served version's chat template renders for these messages (ending with the "
                    + "model's speaker), and its tokens with offsets.")
    @PostMapping(path = "/chat_tokenize", consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    public ChatTokenizeResponse tokenize(@Valid @RequestBody ChatRequest request) {
        try (ModelRegistry.Lease lease = ModelVersionHeader.lease(router.resolve(request.model(), "model"))) {
            GenerationSpec.Prompt prompt = prompts.render(lease.model(), request.messages());
            List<Tgi.SimpleToken> tokens = lease.model().tokenizer().tokenize(prompt.text()).stream()
                    .map(t -> new Tgi.SimpleToken(t.id(), t.text(), t.start(), t.stop())).toList();
            return new ChatTokenizeResponse(tokens, prompt.text());
        }
    }

    /** The completion a chat request is: its one prompt rendered by the chat template of the version that validates it, under that one lease. */
    private OpenAiJob job(ChatRequest r) {
        Integer maxTokens = r.maxCompletionTokens() != null ? r.maxCompletionTokens() : r.maxTokens();
        GenerationSpec.PromptSource conversation = model -> prompts.render(model, r.messages());
        return OpenAiJob.builder(List.of(conversation), GenerationSpec.Fields.CHAT)
                .model(r.model())
                .maxTokens(maxTokens != null ? maxTokens : defaultMaxTokens)
                .sampling(new OpenAiSampling(r.temperature(), r.topP(), r.seed(), r.presencePenalty(), r.frequencyPenalty(),
                        r.repetitionPenalty(), logitBias(r.logitBias())))
                .stop(TextList.optional(r.stop(), "stop"))
                .n(r.n())
                .logprobs(Boolean.TRUE.equals(r.logprobs()) ? (r.topLogprobs() != null ? r.topLogprobs() : 0) : -1)
                .stream(r.stream())
                .includeUsage(StreamOptions.usage(r.streamOptions()))
                .grammar(GrammarRequests.fromResponseFormat(r.responseFormat(), "response_format"))
                .build();
    }

    /** What the model cannot do is refused by name, never silently ignored. */
    private static void refuseUnsupported(ChatRequest r) {
        if (r.tools() != null && !r.tools().isNull() && !r.tools().isEmpty()) {
            throw new InvalidRequestException("tools: this model has no tool use; send the conversation without tools", "tools");
        }
        JsonNode choice = r.toolChoice();
        if (choice != null && !choice.isNull() && !(choice.isString() && List.of("none", "auto").contains(choice.asString()))) {
            throw new InvalidRequestException("tool_choice: this model has no tool use; only \"none\" (or \"auto\" without tools) is accepted",
                    "tool_choice");
        }
        if (r.topLogprobs() != null && r.topLogprobs() > 0 && !Boolean.TRUE.equals(r.logprobs())) {
            throw new InvalidRequestException("top_logprobs needs logprobs: true", "top_logprobs");
        }
    }

    /** OpenAI's logit_bias: an object of token id → bias (TGI documents an array, which it ignores: refused here, never ignored). */
    private static Map<String, Float> logitBias(JsonNode bias) {
        if (bias == null || bias.isNull()) {
            return Map.of();
        }
        if (!bias.isObject()) {
            throw new InvalidRequestException("logit_bias must be an object of token id → bias, like {\"3\": -100}", "logit_bias");
        }
        Map<String, Float> values = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : bias.properties()) {
            if (!entry.getValue().isNumber()) {
                throw new InvalidRequestException("logit_bias values must be numbers; given " + entry.getValue() + " for '" + entry.getKey() + "'",
                        "logit_bias");
            }
            values.put(entry.getKey(), entry.getValue().floatValue());
        }
        return values;
    }
}
