package dev.folio.api.openai;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.folio.api.ClientConnection;
import dev.folio.api.GenerationService;
import dev.folio.api.GenerationSpec;
import dev.folio.api.IgnoredFields;
import dev.folio.api.InvalidRequestException;
import dev.folio.api.ModelRouter;
import dev.folio.api.Protocol;
import dev.folio.api.StopTextFilter;
import dev.folio.api.StreamedText;
import dev.folio.api.TokenStreamer;
import dev.folio.api.ValidGeneration;
import dev.folio.api.WireProtocol;
import dev.folio.inference.FinishReason;
import dev.folio.inference.Generation;
import dev.folio.store.ModelRegistry;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.util.ArrayList;
import java.util.Comparator;
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
@Protocol(WireProtocol.OPENAI)
@RestController
@Tag(name = "OpenAI", description = "OpenAI-compatible completions")
public class OpenAiController {

    private static final int MAX_PROMPTS_TIMES_N = 16;

    private final GenerationService service;
    private final TokenStreamer streamer;
    private final ModelRouter router;
    private final PromptScoring scoring;

    public OpenAiController(GenerationService service, TokenStreamer streamer, ModelRouter router, PromptScoring scoring) {
        this.service = service;
        this.streamer = streamer;
        this.router = router;
        this.scoring = scoring;
    }

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

    /** @param includeUsage send a last chunk with the usage (and no choices) before [DONE] */
    public record StreamOptions(@JsonProperty("include_usage") Boolean includeUsage) {}

    /** OpenAI's completion choice. */
    public record Choice(@JsonProperty("text") String text, @JsonProperty("index") int index, @JsonProperty("logprobs") Logprobs logprobs,
            @JsonProperty("finish_reason") String finishReason) {}

    /** OpenAI's legacy logprobs object. */
    public record Logprobs(@JsonProperty("tokens") List<String> tokens, @JsonProperty("token_logprobs") List<Float> tokenLogprobs,
            @JsonProperty("top_logprobs") List<Map<String, Float>> topLogprobs, @JsonProperty("text_offset") List<Integer> textOffset) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Completion(@JsonProperty("id") String id, @JsonProperty("object") String object, @JsonProperty("created") long created,
            @JsonProperty("model") String model, @JsonProperty("choices") List<Choice> choices, @JsonProperty("usage") Usage usage) {}

    public record ModelCard(@JsonProperty("id") String id, @JsonProperty("object") String object, @JsonProperty("created") long created,
            @JsonProperty("owned_by") String ownedBy) {}

    public record ModelList(@JsonProperty("object") String object, @JsonProperty("data") List<ModelCard> data) {}

    @Operation(summary = "List the served models")
    @GetMapping(path = "/v1/models", produces = MediaType.APPLICATION_JSON_VALUE)
    public ModelList models() {
        List<ModelCard> cards = new ArrayList<>();
        for (ModelRegistry registry : router.registries().all()) {
            registry.currentMetadata().ifPresent(m -> cards.add(new ModelCard(m.modelName(), "model", m.createdAt().getEpochSecond(), "folio")));
        }
        return new ModelList("list", cards);
    }

    @Operation(summary = "Create a completion", description = "OpenAI's completions API. temperature 0 is greedy; stream sends data-only "
            + "chunks of the same shape and ends with data: [DONE]. Errors come as {\"error\": {message, type, param, code}}. "
            + "model picks a served model (with one served, any name is served by it; with several, an unknown one is a 404 listing them); "
            + "the response's model is <name>:<version that answered>. echo: true with logprobs "
            + "also returns the prompt's tokens and their logprobs (the first null), as /logits scores them; max_tokens: 0 with echo: true "
            + "scores the prompt without generating (lm-evaluation-harness's local-completions).")
    @PostMapping(path = "/v1/completions", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = {MediaType.APPLICATION_JSON_VALUE, MediaType.TEXT_EVENT_STREAM_VALUE})
    public ResponseEntity<ResponseBodyEmitter> complete(@Valid @RequestBody CompletionRequest request, HttpServletRequest http, HttpServletResponse servlet)
            throws java.io.IOException {
        IgnoredFields.report(servlet, new IgnoredFields.Unknown("", request.unknownFields(), CompletionRequest.class));
        ModelRegistry registry = router.resolve(request.model(), "model");
        List<String> prompts = strings(request.prompt(), "prompt");
        List<String> stops = request.stop() == null || request.stop().isNull() ? List.of() : strings(request.stop(), "stop"); // their number: folio.generation.max-stop-sequences, checked at validation
        int n = request.n() != null ? request.n() : 1;
        service.checkSamples(n, "n");
        if (prompts.isEmpty() || prompts.size() * n > MAX_PROMPTS_TIMES_N) {
            throw new InvalidRequestException("prompt must have 1 to " + MAX_PROMPTS_TIMES_N / n + " entries for n = " + n, "prompt");
        }
        int logprobs = request.logprobs() != null ? request.logprobs() : -1;
        boolean echo = Boolean.TRUE.equals(request.echo());
        String id = "cmpl-" + UUID.randomUUID().toString().replace("-", "");
        long created = System.currentTimeMillis() / 1000;
        if (request.maxTokens() != null && request.maxTokens() == 0) {
            return scoreOnly(registry, request, prompts, n, logprobs, echo, id, created, servlet);
        }
        if (request.suffix() != null && !request.suffix().isEmpty()) {
            throw new InvalidRequestException("suffix is not supported: the model does no infilling", "suffix");
        }
        int samples = samplesPerPrompt(request, n, prompts.size());
        List<ValidGeneration> jobs = new ArrayList<>();
        for (String prompt : prompts) {
            jobs.addAll(job(request, prompt, stops, logprobs).samples(samples));
        }
        List<PromptScoring.Scored> echoed = echo && logprobs >= 0 ? scoring.score(registry, prompts, logprobs, n) : null;
        if (Boolean.TRUE.equals(request.stream())) {
            String answering = registry.modelName() + ":" + jobs.get(0).version();
            var emitter = streamer.stream(jobs, index -> new OpenAiStreamEvents(id, created, answering, index, stops,
                    echo ? prompts.get(index / n) : null, echoed != null ? echoed.get(index / n).logprobs() : null, logprobs),
                    generations -> closing(id, created, answering, request, n, generations));
            return ResponseEntity.ok().contentType(MediaType.TEXT_EVENT_STREAM).body(emitter);
        }
        List<Choice> choices = new ArrayList<>();
        Set<String> modelVersions = new TreeSet<>();
        List<Generation> generations = best(service.runTogether(jobs, ClientConnection.of(http)), samples, n);
        for (int i = 0; i < generations.size(); i++) {
            Generation g = generations.get(i);
            modelVersions.add(g.modelVersion());
            String prompt = prompts.get(i / n);
            String text = StopTextFilter.strip(g.generatedText(), g.finishReason() == FinishReason.STOP_SEQUENCE ? stops : List.of());
            Logprobs generated = logprobs >= 0 ? logprobs(g, logprobs, echo ? prompt.length() : 0, text.length()) : null;
            Logprobs all = echoed != null ? PromptScoring.concat(echoed.get(i / n).logprobs(), generated) : generated;
            choices.add(new Choice(echo ? prompt + text : text, i, all, OpenAiSampling.finishReason(g.finishReason())));
        }
        String served = registry.modelName();
        String version = modelVersions.iterator().next();
        return json(new Completion(id, "text_completion", created, served + ":" + version, choices, Usage.of(generations, n)));
    }

    /** best_of's samples per prompt (n without it), within the limits; streaming only without extra samples. */
    private int samplesPerPrompt(CompletionRequest request, int n, int prompts) {
        if (request.bestOf() == null) {
            return n;
        }
        int bestOf = request.bestOf();
        if (bestOf < n) {
            throw new InvalidRequestException("best_of must be at least n (" + n + "); given: " + bestOf, "best_of");
        }
        service.checkSamples(bestOf, "best_of");
        if (prompts * bestOf > MAX_PROMPTS_TIMES_N) {
            throw new InvalidRequestException("best_of must be at most " + MAX_PROMPTS_TIMES_N / prompts + " for " + prompts + " prompt(s); given: "
                    + bestOf, "best_of");
        }
        if (bestOf > n && Boolean.TRUE.equals(request.stream())) {
            throw new InvalidRequestException("best_of > n cannot stream: the best samples are known only at the end", "best_of");
        }
        if (bestOf > n && request.temperature() != null && request.temperature() == 0f) {
            throw new InvalidRequestException("best_of > n needs sampling: greedy samples would all be the same", "best_of");
        }
        return bestOf;
    }

    /** Of each prompt's samples, the n with the highest mean logprob per token (OpenAI's best_of), best first. */
    private static List<Generation> best(List<Generation> all, int samples, int n) {
        if (samples == n) {
            return all;
        }
        List<Generation> chosen = new ArrayList<>();
        for (int from = 0; from < all.size(); from += samples) {
            all.subList(from, from + samples).stream()
                    .sorted(Comparator.comparingDouble(OpenAiController::meanLogprob).reversed())
                    .limit(n)
                    .forEach(chosen::add);
        }
        return chosen;
    }

    private static double meanLogprob(Generation g) {
        return g.tokens().stream().mapToDouble(Generation.GeneratedToken::logprob).average().orElse(0);
    }

    /**
     * {@code max_tokens: 0} with {@code echo: true}: the prompt's own logprobs, as evaluation harnesses score texts
     * (lm-evaluation-harness's local-completions); no token is generated.
     */
    private ResponseEntity<ResponseBodyEmitter> scoreOnly(ModelRegistry registry, CompletionRequest request, List<String> prompts, int n,
            int logprobs, boolean echo,
            String id, long created, HttpServletResponse servlet) throws java.io.IOException {
        if (!echo) {
            throw new InvalidRequestException("max_tokens 0 generates nothing: it scores the prompt, which needs echo: true", "max_tokens");
        }
        if (Boolean.TRUE.equals(request.stream())) {
            throw new InvalidRequestException("max_tokens 0 scores the prompt and answers at once: send stream: false", "stream");
        }
        List<PromptScoring.Scored> scored = scoring.score(registry, prompts, Math.max(0, logprobs), logprobs >= 0 ? n : 0); // without logprobs the answer has none
        List<Choice> choices = new ArrayList<>();
        int promptTokens = 0;
        for (int p = 0; p < prompts.size(); p++) {
            PromptScoring.Scored s = scored.get(p);
            promptTokens += s.tokens();
            for (int j = 0; j < n; j++) {
                choices.add(new Choice(prompts.get(p), p * n + j, logprobs >= 0 ? s.logprobs() : null, "length"));
            }
        }
        String version = scored.get(0).modelVersion();
        String served = registry.modelName();
        return json(new Completion(id, "text_completion", created, served + ":" + version, choices, new Usage(promptTokens, 0, promptTokens)));
    }

    /** With stream_options.include_usage, a chunk with no choices and the usage; then [DONE]. */
    private static List<Object> closing(String id, long created, String model, CompletionRequest request, int n, List<Generation> generations) {
        if (request.streamOptions() == null || !Boolean.TRUE.equals(request.streamOptions().includeUsage())) {
            return List.of("[DONE]");
        }
        return List.of(new Completion(id, "text_completion", created, model, List.of(), Usage.of(generations, n)), "[DONE]");
    }

    private static ResponseEntity<ResponseBodyEmitter> json(Object body) throws java.io.IOException {
        ResponseBodyEmitter emitter = new ResponseBodyEmitter();
        emitter.send(body, MediaType.APPLICATION_JSON);
        emitter.complete();
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(emitter);
    }

    private ValidGeneration job(CompletionRequest r, String prompt, List<String> stops, int logprobs) {
        OpenAiSampling sampling = new OpenAiSampling(r.temperature(), r.topP(), r.seed(), r.presencePenalty(), r.frequencyPenalty(),
                r.repetitionPenalty(), r.logitBias());
        return service.validate(sampling.onto(GenerationSpec.builder(prompt, GenerationSpec.Fields.OPENAI_COMPLETIONS))
                .maxNewTokens(r.maxTokens() != null ? r.maxTokens() : 16)
                .model(r.model())
                .stop(stops)
                .topNTokens(Math.max(0, logprobs))
                .build());
    }

    /** The generated tokens' logprobs, the first {@code characters} of them (a stop sequence cut off has none). */
    private static Logprobs logprobs(Generation g, int top, int offset, int characters) {
        List<String> tokens = new ArrayList<>();
        List<Float> tokenLogprobs = new ArrayList<>();
        List<Map<String, Float>> topLogprobs = new ArrayList<>();
        List<Integer> offsets = new ArrayList<>();
        int at = offset;
        for (Generation.GeneratedToken t : g.tokens().subList(0, Math.min(characters, g.tokens().size()))) {
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
    private static List<String> strings(JsonNode node, String field) {
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
        return values;
    }

    /**
     * Data-only chunks of the completion shape; the stop sequence itself is never sent. With echo, the prompt is the first
     * chunk (with its logprobs when asked); with logprobs, each chunk carries those of exactly the characters it sends.
     */
    private static final class OpenAiStreamEvents implements TokenStreamer.Events {
        private final String id;
        private final long created;
        private final String model;
        private final int index;
        private final StreamedText text;
        private final String echo;
        private final Logprobs echoLogprobs;
        private final int top;
        private int offset;

        OpenAiStreamEvents(String id, long created, String model, int index, List<String> stops, String echo, Logprobs echoLogprobs, int top) {
            this.id = id;
            this.created = created;
            this.model = model;
            this.index = index;
            this.text = new StreamedText(stops, top >= 0);
            this.echo = echo;
            this.echoLogprobs = echoLogprobs;
            this.top = top;
            this.offset = echo == null ? 0 : echo.length();
        }

        private Completion chunk(String text, Logprobs logprobs, String finishReason) {
            return new Completion(id, "text_completion", created, model, List.of(new Choice(text, index, logprobs, finishReason)), null);
        }

        @Override
        public List<Object> start() {
            return echo == null ? List.of() : List.of(chunk(echo, echoLogprobs, null));
        }

        @Override
        public Object token(int position, Generation.GeneratedToken token) {
            StreamedText.Chunk sent = text.offer(token);
            return sent.text().isEmpty() ? null : chunk(sent.text(), logprobs(sent), null);
        }

        @Override
        public List<Object> finish(int position, Generation.GeneratedToken last, Generation g) {
            StreamedText.Chunk sent = text.finish(last, g.finishReason() == FinishReason.STOP_SEQUENCE);
            return List.of(chunk(sent.text(), logprobs(sent), OpenAiSampling.finishReason(g.finishReason())));
        }

        /** The logprobs of exactly the characters a chunk sends; null when not asked. */
        private Logprobs logprobs(StreamedText.Chunk sent) {
            if (top < 0) {
                return null;
            }
            List<String> tokens = new ArrayList<>();
            List<Float> values = new ArrayList<>();
            List<Map<String, Float>> alternatives = new ArrayList<>();
            List<Integer> offsets = new ArrayList<>();
            for (Generation.GeneratedToken t : sent.tokens()) {
                tokens.add(t.text());
                values.add(t.logprob());
                Map<String, Float> topTokens = new LinkedHashMap<>();
                t.topTokens().stream().limit(top).forEach(a -> topTokens.put(a.text(), a.logprob()));
                alternatives.add(topTokens);
                offsets.add(offset);
                offset += t.text().length();
            }
            return new Logprobs(tokens, values, alternatives, offsets);
        }
    }
}
