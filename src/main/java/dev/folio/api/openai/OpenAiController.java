package dev.folio.api.openai;

import dev.folio.api.InvalidRequestException;
import dev.folio.api.GenerationService;
import dev.folio.api.GenerationSpec;
import dev.folio.api.ValidGeneration;
import dev.folio.api.TokenStreamer;
import dev.folio.api.StopTextFilter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.folio.inference.FinishReason;
import dev.folio.inference.Generation;
import dev.folio.store.ModelMetadata;
import dev.folio.store.ModelRegistry;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;
import tools.jackson.databind.JsonNode;

/** OpenAI's legacy completions API ({@code POST /v1/completions}, {@code GET /v1/models}), for the clients people already use. */
@RestController
@Tag(name = "OpenAI", description = "OpenAI-compatible completions")
public class OpenAiController {

    private static final int MAX_PROMPTS_TIMES_N = 16;

    private final GenerationService service;
    private final TokenStreamer streamer;
    private final ModelRegistry registry;

    public OpenAiController(GenerationService service, TokenStreamer streamer, ModelRegistry registry) {
        this.service = service;
        this.streamer = streamer;
        this.registry = registry;
    }

    /** OpenAI's CreateCompletionRequest (the fields a character model can honour). */
    public record CompletionRequest(
            @Schema(example = "shakespeare-char") @JsonProperty("model") @NotNull String model,
            @Schema(description = "A string or an array of strings", example = "ROMEO:") @JsonProperty("prompt") @NotNull JsonNode prompt,
            @Schema(example = "100") @JsonProperty("max_tokens") @Min(1) Integer maxTokens,
            @Schema(description = "0 is greedy", example = "0.8") @JsonProperty("temperature") @DecimalMin("0") @DecimalMax("2") Float temperature,
            @JsonProperty("top_p") @DecimalMin(value = "0", inclusive = false) @DecimalMax("1") Float topP,
            @JsonProperty("n") @Min(1) @Max(8) Integer n,
            @JsonProperty("stream") Boolean stream,
            @Schema(description = "A string or an array of up to 4 strings") @JsonProperty("stop") JsonNode stop,
            @JsonProperty("seed") @Min(0) Long seed,
            @JsonProperty("logprobs") @Min(0) @Max(5) Integer logprobs,
            @JsonProperty("echo") Boolean echo,
            @JsonProperty("user") String user) {}

    /** OpenAI's completion choice. */
    public record Choice(@JsonProperty("text") String text, @JsonProperty("index") int index, @JsonProperty("logprobs") Logprobs logprobs,
            @JsonProperty("finish_reason") String finishReason) {}

    /** OpenAI's legacy logprobs object. */
    public record Logprobs(@JsonProperty("tokens") List<String> tokens, @JsonProperty("token_logprobs") List<Float> tokenLogprobs,
            @JsonProperty("top_logprobs") List<Map<String, Float>> topLogprobs, @JsonProperty("text_offset") List<Integer> textOffset) {}

    public record Usage(@JsonProperty("prompt_tokens") int promptTokens, @JsonProperty("completion_tokens") int completionTokens,
            @JsonProperty("total_tokens") int totalTokens) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Completion(@JsonProperty("id") String id, @JsonProperty("object") String object, @JsonProperty("created") long created,
            @JsonProperty("model") String model, @JsonProperty("choices") List<Choice> choices, @JsonProperty("usage") Usage usage) {}

    public record ModelCard(@JsonProperty("id") String id, @JsonProperty("object") String object, @JsonProperty("created") long created,
            @JsonProperty("owned_by") String ownedBy) {}

    public record ModelList(@JsonProperty("object") String object, @JsonProperty("data") List<ModelCard> data) {}

    @Operation(summary = "List the served model")
    @GetMapping(path = "/v1/models", produces = MediaType.APPLICATION_JSON_VALUE)
    public ModelList models() {
        ModelMetadata m = registry.currentMetadata().orElseThrow(() -> new IllegalStateException("no model loaded"));
        return new ModelList("list", List.of(new ModelCard(m.modelName(), "model", m.createdAt().getEpochSecond(), "folio")));
    }

    @Operation(summary = "Create a completion", description = "OpenAI's completions API. temperature 0 is greedy; stream sends data-only "
            + "chunks of the same shape and ends with data: [DONE]. Errors come as {\"error\": {message, type, param, code}}. "
            + "The response's model is <name>:<version that answered>.")
    @PostMapping(path = "/v1/completions", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = {MediaType.APPLICATION_JSON_VALUE, MediaType.TEXT_EVENT_STREAM_VALUE})
    public ResponseEntity<ResponseBodyEmitter> complete(@Valid @RequestBody CompletionRequest request) throws java.io.IOException {
        String served = registry.currentMetadata().map(ModelMetadata::modelName).orElse("");
        String answering = registry.currentMetadata().map(m -> m.modelName() + ":" + m.version()).orElse("");
        if (!served.equals(request.model()) && !answering.equals(request.model())) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, "The model '" + request.model() + "' does not exist; this server serves '" + served + "'");
        }
        List<String> prompts = strings(request.prompt(), "prompt", Integer.MAX_VALUE);
        List<String> stops = request.stop() == null || request.stop().isNull() ? List.of() : strings(request.stop(), "stop", 4);
        int n = request.n() != null ? request.n() : 1;
        if (prompts.isEmpty() || prompts.size() * n > MAX_PROMPTS_TIMES_N) {
            throw new InvalidRequestException("prompt must have 1 to " + MAX_PROMPTS_TIMES_N / n + " entries for n = " + n, "prompt");
        }
        int logprobs = request.logprobs() != null ? request.logprobs() : -1;
        List<ValidGeneration> jobs = new ArrayList<>();
        for (String prompt : prompts) {
            for (int j = 0; j < n; j++) {
                jobs.add(job(request, prompt, stops, j, logprobs));
            }
        }
        String id = "cmpl-" + UUID.randomUUID().toString().replace("-", "");
        long created = System.currentTimeMillis() / 1000;
        boolean echo = Boolean.TRUE.equals(request.echo());
        if (Boolean.TRUE.equals(request.stream())) {
            var emitter = streamer.stream(jobs, index -> new OpenAiStreamEvents(id, created, answering, index, stops,
                    echo ? prompts.get(index / n) : null), List.of("[DONE]"));
            return ResponseEntity.ok().contentType(MediaType.TEXT_EVENT_STREAM).body(emitter);
        }
        List<Choice> choices = new ArrayList<>();
        int promptTokens = 0;
        int completionTokens = 0;
        Set<String> modelVersions = new TreeSet<>();
        List<Generation> generations = service.runTogether(jobs);
        for (int i = 0; i < jobs.size(); i++) {
            Generation g = generations.get(i);
            modelVersions.add(g.modelVersion());
            String prompt = prompts.get(i / n);
            String text = StopTextFilter.strip(g.generatedText(), g.finishReason() == FinishReason.STOP_SEQUENCE ? stops : List.of());
            choices.add(new Choice(echo ? prompt + text : text, i, logprobs >= 0 ? logprobs(g, logprobs, echo ? prompt.length() : 0) : null,
                    finishReason(g)));
            if (i % n == 0) {
                promptTokens += g.promptTokens();
            }
            completionTokens += g.tokens().size();
        }
        ResponseBodyEmitter body = new ResponseBodyEmitter();
        String model = modelVersions.size() == 1 ? served + ":" + modelVersions.iterator().next() : answering;
        body.send(new Completion(id, "text_completion", created, model, choices,
                new Usage(promptTokens, completionTokens, promptTokens + completionTokens)), MediaType.APPLICATION_JSON);
        body.complete();
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(body);
    }

    private ValidGeneration job(CompletionRequest r, String prompt, List<String> stops, int choice, int logprobs) {
        boolean greedy = r.temperature() != null && r.temperature() == 0f;
        Long seed = r.seed() != null ? r.seed() + choice : null; // n seeded choices differ from each other, reproducibly
        return service.validate(GenerationSpec.builder(prompt, GenerationSpec.Fields.OPENAI_COMPLETIONS)
                .maxNewTokens(r.maxTokens() != null ? r.maxTokens() : 16)
                .doSample(!greedy)
                .temperature(greedy ? null : r.temperature())
                .topP(r.topP() != null && r.topP() < 1f ? r.topP() : null)
                .seed(seed)
                .stop(stops)
                .topNTokens(Math.max(0, logprobs))
                .build());
    }

    private static String finishReason(Generation g) {
        return g.finishReason() == FinishReason.LENGTH ? "length" : "stop";
    }

    private static Logprobs logprobs(Generation g, int top, int offset) {
        List<String> tokens = new ArrayList<>();
        List<Float> tokenLogprobs = new ArrayList<>();
        List<Map<String, Float>> topLogprobs = new ArrayList<>();
        List<Integer> offsets = new ArrayList<>();
        int at = offset;
        for (Generation.GeneratedToken t : g.tokens()) {
            tokens.add(t.text());
            tokenLogprobs.add(t.logprob());
            Map<String, Float> alternatives = new LinkedHashMap<>();
            t.topTokens().stream().limit(top).forEach(a -> alternatives.put(a.text(), a.logprob()));
            topLogprobs.add(alternatives);
            offsets.add(at);
            at += t.text().length();
        }
        return new Logprobs(tokens, tokenLogprobs, topLogprobs, offsets);
    }

    /** A JSON string or array of strings, as OpenAI accepts for prompt and stop. */
    private static List<String> strings(JsonNode node, String field, int max) {
        List<String> values = new ArrayList<>();
        if (node.isString()) {
            values.add(node.asString());
        } else if (node.isArray()) {
            for (JsonNode item : node) {
                if (!item.isString()) {
                    throw new InvalidRequestException(field + " must be a string or an array of strings", field);
                }
                values.add(item.asString());
            }
        } else {
            throw new InvalidRequestException(field + " must be a string or an array of strings", field);
        }
        if (values.size() > max) {
            throw new InvalidRequestException(field + " must have at most " + max + " entries; given: " + values.size(), field);
        }
        return values;
    }

    /** Data-only chunks of the completion shape; the stop sequence itself is never sent. */
    private static final class OpenAiStreamEvents implements TokenStreamer.Events {
        private final String id;
        private final long created;
        private final String model;
        private final int index;
        private final StopTextFilter filter;
        private final String echo;

        OpenAiStreamEvents(String id, long created, String model, int index, List<String> stops, String echo) {
            this.id = id;
            this.created = created;
            this.model = model;
            this.index = index;
            this.filter = new StopTextFilter(stops);
            this.echo = echo;
        }

        private Completion chunk(String text, String finishReason) {
            return new Completion(id, "text_completion", created, model, List.of(new Choice(text, index, null, finishReason)), null);
        }

        @Override
        public Object token(int position, Generation.GeneratedToken token) {
            String text = filter.offer(token.text());
            if (position == 0 && echo != null) {
                text = echo + text;
            }
            return text.isEmpty() ? null : chunk(text, null);
        }

        @Override
        public List<Object> finish(int position, Generation.GeneratedToken last, Generation g) {
            String text = last == null ? "" : filter.offer(last.text());
            text += filter.finish(g.finishReason() == FinishReason.STOP_SEQUENCE);
            if (position == 0 && echo != null) {
                text = echo + text;
            }
            return List.of(chunk(text, finishReason(g)));
        }

        @Override
        public Object error(String message, String type) {
            return Map.of("error", Map.of("message", message, "type", "validation".equals(type) ? "invalid_request_error" : "server_error"));
        }
    }
}
