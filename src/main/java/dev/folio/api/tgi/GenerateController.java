package dev.folio.api.tgi;

import dev.folio.api.ClientConnection;
import dev.folio.api.GenerationService;
import dev.folio.api.GenerationSpec;
import dev.folio.api.GrammarRequests;
import dev.folio.api.IgnoredFields;
import dev.folio.api.InvalidRequestException;
import dev.folio.api.Protocol;
import dev.folio.api.TokenStreamer;
import dev.folio.api.ValidGeneration;
import dev.folio.api.WireProtocol;
import dev.folio.inference.Generation;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.Valid;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.JsonNode;

/** TGI's generation routes: {@code POST /generate}, {@code POST /generate_stream} and the compat {@code POST /}. */
@Protocol(WireProtocol.TGI)
@RestController
@Tag(name = "Text Generation Inference", description = "Hugging Face text-generation-inference compatible routes")
@ApiResponse(responseCode = "422", description = "Input validation error (problem+json with TGI's error and error_type)",
        content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = Tgi.ErrorResponse.class)))
@ApiResponse(responseCode = "429", description = "Model is overloaded",
        content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = Tgi.ErrorResponse.class)))
public class GenerateController {

    private final GenerationService service;
    private final TokenStreamer streamer;

    public GenerateController(GenerationService service, TokenStreamer streamer) {
        this.service = service;
        this.streamer = streamer;
    }

    @Operation(summary = "Generate tokens", description = "return_full_text defaults to false here. Without a parameters object, do_sample is true (as TGI).")
    @ApiResponse(responseCode = "200", description = "Generated text")
    @PostMapping(path = "/generate", consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<Tgi.GenerateResponse> generate(@Valid @RequestBody GenerateRequest request, HttpServletRequest http,
            HttpServletResponse servlet) {
        long start = System.nanoTime();
        GenerateParameters p = parameters(request.parameters());
        reportIgnored(servlet, request.unknownFields(), GenerateRequest.class, p);
        BestOf best = generate(request.inputs(), request.model(), p, ClientConnection.of(http));
        return ResponseEntity.ok().headers(timingHeaders(best.chosen(), start)).body(response(request.inputs(), p, best, false));
    }

    @Operation(summary = "Generate a stream of tokens (Server-Sent Events)",
            description = "One data event per token: {index, token, top_tokens?, generated_text: null, details: null}; the last carries "
                    + "generated_text (and details {finish_reason, generated_tokens, seed, input_length} when asked). No [DONE]. "
                    + "An error after the stream started is one {error, error_type} event.")
    @ApiResponse(responseCode = "200", description = "Stream of tokens",
            content = @Content(mediaType = MediaType.TEXT_EVENT_STREAM_VALUE, schema = @Schema(implementation = Tgi.StreamResponse.class)))
    @PostMapping(path = "/generate_stream", consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    public SseEmitter generateStream(@Valid @RequestBody GenerateRequest request, HttpServletResponse servlet) {
        GenerateParameters p = parameters(request.parameters());
        reportIgnored(servlet, request.unknownFields(), GenerateRequest.class, p);
        refuseBestOfInStream(p);
        ValidGeneration job = job(request.inputs(), request.model(), p);
        return streamer.stream(job, new TgiStreamEvents(request.inputs(), p, false));
    }

    @Operation(summary = "Generate tokens if stream is false, or a stream of tokens if stream is true",
            description = "TGI's compat route: answers [GenerateResponse] or, with stream: true, as /generate_stream. return_full_text defaults to true here.")
    @PostMapping(path = "/", consumes = MediaType.APPLICATION_JSON_VALUE, produces = {MediaType.APPLICATION_JSON_VALUE, MediaType.TEXT_EVENT_STREAM_VALUE})
    public ResponseEntity<ResponseBodyEmitter> compat(@Valid @RequestBody CompatGenerateRequest request, HttpServletRequest http,
            HttpServletResponse servlet)
            throws IOException {
        GenerateParameters p = parameters(request.parameters());
        reportIgnored(servlet, request.unknownFields(), CompatGenerateRequest.class, p);
        if (Boolean.TRUE.equals(request.stream())) {
            refuseBestOfInStream(p);
            ValidGeneration job = job(request.inputs(), request.model(), p);
            return ResponseEntity.ok().contentType(MediaType.TEXT_EVENT_STREAM).body(streamer.stream(job, new TgiStreamEvents(request.inputs(), p, true)));
        }
        long start = System.nanoTime();
        BestOf best = generate(request.inputs(), request.model(), p, ClientConnection.of(http));
        ResponseBodyEmitter body = new ResponseBodyEmitter();
        body.send(List.of(response(request.inputs(), p, best, true)), MediaType.APPLICATION_JSON);
        body.complete();
        return ResponseEntity.ok().headers(timingHeaders(best.chosen(), start)).contentType(MediaType.APPLICATION_JSON).body(body);
    }

    private static void reportIgnored(HttpServletResponse servlet, Map<String, JsonNode> topLevel, Class<? extends Record> schema,
            GenerateParameters p) {
        IgnoredFields.report(servlet, new IgnoredFields.Unknown("", topLevel, schema),
                new IgnoredFields.Unknown("parameters.", p.unknownFields(), GenerateParameters.class));
    }

    private static GenerateParameters parameters(GenerateParameters p) {
        return p != null ? p : GenerateParameters.absent();
    }

    /** The best of best_of samples (one sample without it), decoded together in the batch. */
    private record BestOf(Generation chosen, List<Generation> others) {}

    private BestOf generate(String inputs, String model, GenerateParameters p, ClientConnection client) {
        int n = p.bestOf() != null ? p.bestOf() : 1;
        if (n == 1) {
            return new BestOf(service.run(job(inputs, model, p), client), List.of());
        }
        service.checkSamples(n, "parameters.best_of");
        ValidGeneration first = job(inputs, model, p);
        if (!first.sampling().sampling()) {
            throw new InvalidRequestException("parameters.best_of > 1 needs sampling: set do_sample (or a temperature, top_k, top_p or "
                    + "typical_p)", "parameters.best_of");
        }
        List<ValidGeneration> samples = first.samples(n);
        List<Generation> generations = new ArrayList<>(service.runTogether(samples, client));
        Generation chosen = generations.stream().max(Comparator.comparingDouble(GenerateController::totalLogprob)).orElseThrow();
        generations.remove(chosen);
        return new BestOf(chosen, generations);
    }

    static double totalLogprob(Generation g) {
        return g.tokens().stream().mapToDouble(Generation.GeneratedToken::logprob).sum();
    }

    private static void refuseBestOfInStream(GenerateParameters p) {
        if (p.bestOf() != null && p.bestOf() > 1) {
            throw new InvalidRequestException("parameters.best_of > 1 cannot stream: the best sample is known only at the end", "parameters.best_of");
        }
    }

    private ValidGeneration job(String inputs, String model, GenerateParameters p) {
        if (Boolean.TRUE.equals(p.watermark())) {
            throw new InvalidRequestException("parameters.watermark is not supported: Folio does not watermark its text", "parameters.watermark");
        }
        ValidGeneration job = service.validate(GenerationSpec.builder(inputs, GenerationSpec.Fields.TGI)
                .model(model)
                .typicalP(p.typicalP())
                .tgiFrequencyPenalty(p.frequencyPenalty())
                .grammar(GrammarRequests.fromTgi(p.grammar(), "parameters.grammar"))
                .truncate(p.truncate())
                .maxNewTokens(p.maxNewTokens())
                .doSample(Boolean.TRUE.equals(p.doSample()))
                .temperature(p.temperature())
                .topK(p.topK())
                .topP(p.topP())
                .seed(p.seed())
                .stop(p.stop())
                .repetitionPenalty(p.repetitionPenalty())
                .topNTokens(p.topNTokens() != null ? p.topNTokens() : 0)
                .prefillLogprobs(Boolean.TRUE.equals(p.decoderInputDetails()))
                .build());
        String served = job.modelName();
        if (p.adapterId() != null && !p.adapterId().equals(served)) {
            job.close();
            throw new InvalidRequestException("parameters.adapter_id: Folio serves no adapters; only '" + served + "' (the model itself) "
                    + "or none; given: '" + p.adapterId() + "'", "parameters.adapter_id");
        }
        return job;
    }

    private static Tgi.GenerateResponse response(String inputs, GenerateParameters p, BestOf best, boolean fullTextByDefault) {
        Generation g = best.chosen();
        String text = returnFullText(p, fullTextByDefault) ? inputs + g.generatedText() : g.generatedText();
        boolean top = p.topNTokens() != null && p.topNTokens() > 0;
        Tgi.Details details = null;
        if (Boolean.TRUE.equals(p.details())) {
            List<Tgi.BestOfSequence> others = p.bestOf() != null && p.bestOf() > 1
                    ? best.others().stream().map(o -> Tgi.bestOfSequence(o, returnFullText(p, fullTextByDefault) ? inputs : "", top)).toList()
                    : null;
            details = Tgi.details(g, top, others);
        }
        return new Tgi.GenerateResponse(text, details);
    }

    static boolean returnFullText(GenerateParameters p, boolean byDefault) {
        return p.returnFullText() != null ? p.returnFullText() : byDefault;
    }

    /** TGI's timing headers. */
    private static HttpHeaders timingHeaders(Generation g, long startNanos) {
        double totalMs = (System.nanoTime() - startNanos) / 1e6;
        int generated = g.tokens().size();
        HttpHeaders headers = new HttpHeaders();
        headers.set("x-compute-type", "cpu");
        headers.set("x-compute-time", String.format("%.6f", totalMs / 1000));
        headers.set("x-compute-characters", Integer.toString(g.promptTokens()));
        headers.set("x-total-time", Long.toString(Math.round(totalMs)));
        headers.set("x-inference-time", Long.toString(Math.round(totalMs)));
        headers.set("x-time-per-token", Long.toString(Math.round(totalMs / Math.max(1, generated))));
        headers.set("x-prompt-tokens", Integer.toString(g.promptTokens()));
        headers.set("x-generated-tokens", Integer.toString(generated));
        if (g.seed() != null) { // greedy: nothing was drawn with a seed
            headers.set("x-seed", Long.toString(g.seed()));
        }
        return headers;
    }

    /** TGI's stream events. */
    private record TgiStreamEvents(String inputs, GenerateParameters p, boolean fullTextByDefault) implements TokenStreamer.Events {

        @Override
        public Object token(int index, Generation.GeneratedToken token) {
            return new Tgi.StreamResponse(index, Tgi.Token.of(token), Tgi.Token.of(token.topTokens()), null, null);
        }

        @Override
        public List<Object> finish(int index, Generation.GeneratedToken last, Generation g) {
            if (last == null) {
                return List.of();
            }
            String text = returnFullText(p, fullTextByDefault) ? inputs + g.generatedText() : g.generatedText();
            Tgi.StreamDetails details = Boolean.TRUE.equals(p.details())
                    ? new Tgi.StreamDetails(g.finishReason().wireName(), g.tokens().size(), g.seed(), g.promptTokens()) : null;
            return List.of(new Tgi.StreamResponse(index, Tgi.Token.of(last), Tgi.Token.of(last.topTokens()), text, details));
        }
    }
}
