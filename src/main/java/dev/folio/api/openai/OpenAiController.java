package dev.folio.api.openai;

import dev.folio.api.GenerationSpec;
import dev.folio.api.IgnoredFields;
import dev.folio.api.InvalidRequestException;
import dev.folio.api.ModelRouter;
import dev.folio.api.Protocol;
import dev.folio.api.WireProtocol;
import dev.folio.api.openai.Completions.Choice;
import dev.folio.api.openai.Completions.Completion;
import dev.folio.api.openai.Completions.ModelCard;
import dev.folio.api.openai.Completions.ModelList;
import dev.folio.store.ModelRegistry;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.Valid;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;

/**
 * OpenAI's legacy completions API ({@code POST /v1/completions}, {@code GET /v1/models}), for the clients people already
 * use: maps the wire request into an {@link OpenAiJob} for {@link OpenAiRunner}, and answers in {@link Completions}' shapes.
 */
@Protocol(WireProtocol.OPENAI)
@RestController
@Tag(name = "OpenAI", description = "OpenAI-compatible completions")
public class OpenAiController {

    private static final int DEFAULT_MAX_TOKENS = 16; // OpenAI's

    private final OpenAiRunner runner;
    private final ModelRouter router;
    private final PromptScoring scoring;

    public OpenAiController(OpenAiRunner runner, ModelRouter router, PromptScoring scoring) {
        this.runner = runner;
        this.router = router;
        this.scoring = scoring;
    }

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
            throws IOException {
        IgnoredFields.report(servlet, new IgnoredFields.Unknown("", request.unknownFields(), CompletionRequest.class));
        ModelRegistry registry = router.resolve(request.model(), "model");
        List<String> prompts = TextList.of(request.prompt(), "prompt");
        List<String> stops = TextList.optional(request.stop(), "stop"); // their number: folio.generation.max-stop-sequences, checked at validation
        int n = request.n() != null ? request.n() : 1;
        runner.checkChoices(prompts.size(), n);
        int logprobs = request.logprobs() != null ? request.logprobs() : -1;
        boolean echo = Boolean.TRUE.equals(request.echo());
        if (request.maxTokens() != null && request.maxTokens() == 0) {
            return scoreOnly(registry, request, prompts, n, logprobs, echo);
        }
        if (request.suffix() != null && !request.suffix().isEmpty()) {
            throw new InvalidRequestException("suffix is not supported: the model does no infilling", "suffix");
        }
        List<GenerationSpec.PromptSource> sources = prompts.stream().map(GenerationSpec::text).toList();
        OpenAiJob job = OpenAiJob.builder(sources, GenerationSpec.Fields.OPENAI_COMPLETIONS)
                .model(request.model())
                .maxTokens(request.maxTokens() != null ? request.maxTokens() : DEFAULT_MAX_TOKENS)
                .sampling(new OpenAiSampling(request.temperature(), request.topP(), request.seed(), request.presencePenalty(),
                        request.frequencyPenalty(), request.repetitionPenalty(), request.logitBias()))
                .stop(stops)
                .n(n)
                .bestOf(request.bestOf())
                .logprobs(logprobs)
                .stream(request.stream())
                .includeUsage(StreamOptions.usage(request.streamOptions()))
                .build();
        return runner.answer(job, new CompletionWire(prompts, echo, scoring, registry, logprobs, n), http);
    }

    /**
     * {@code max_tokens: 0} with {@code echo: true}: the prompt's own logprobs, as evaluation harnesses score texts
     * (lm-evaluation-harness's local-completions); no token is generated.
     */
    private ResponseEntity<ResponseBodyEmitter> scoreOnly(ModelRegistry registry, CompletionRequest request, List<String> prompts, int n,
            int logprobs, boolean echo) throws IOException {
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
        String id = "cmpl-" + UUID.randomUUID().toString().replace("-", "");
        Completion scores = new Completion(id, "text_completion", System.currentTimeMillis() / 1000,
                registry.modelName() + ":" + scored.get(0).modelVersion(), choices, new Usage(promptTokens, 0, promptTokens));
        ResponseBodyEmitter body = new ResponseBodyEmitter();
        body.send(scores, MediaType.APPLICATION_JSON);
        body.complete();
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(body);
    }
}
