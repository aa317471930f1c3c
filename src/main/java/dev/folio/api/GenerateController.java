package dev.folio.api;

import dev.folio.FolioProperties;
import dev.folio.inference.Generation;
import dev.folio.inference.Generator;
import dev.folio.inference.SamplingParameters;
import dev.folio.store.ModelRegistry;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** TGI's {@code POST /generate}. */
@RestController
@Tag(name = "Text generation", description = "Hugging Face text-generation-inference compatible routes")
public class GenerateController {

    private final ModelRegistry registry;
    private final Generator generator;
    private final FolioProperties.Generation limits;

    public GenerateController(ModelRegistry registry, Generator generator, FolioProperties properties) {
        this.registry = registry;
        this.generator = generator;
        this.limits = properties.generation();
    }

    @Operation(summary = "Generate text from a prompt")
    @PostMapping(path = "/generate", consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<GenerateResponse> generate(@Valid @RequestBody GenerateRequest request) {
        long start = System.nanoTime();
        GenerateParameters p = request.parameters() != null ? request.parameters() : defaultParameters();
        if (request.inputs().length() > limits.maxInputLength()) {
            throw new InvalidRequestException("inputs must be at most " + limits.maxInputLength() + " characters; given: " + request.inputs().length());
        }
        SamplingParameters sampling = samplingParameters(p);
        try (ModelRegistry.Lease lease = registry.acquire()) {
            int[] prompt = encode(lease, request.inputs(), p.truncate());
            Generation generation = generator.generate(lease.model(), prompt, sampling, token -> {});
            long elapsedMs = Math.max(1, (System.nanoTime() - start) / 1_000_000);
            int generated = generation.tokens().size();
            return ResponseEntity.ok()
                    .header("x-compute-time", String.format("%.3f", elapsedMs / 1000.0))
                    .header("x-total-time", Long.toString(elapsedMs))
                    .header("x-time-per-token", Long.toString(elapsedMs / Math.max(1, generated)))
                    .header("x-prompt-tokens", Integer.toString(generation.promptTokens()))
                    .header("x-generated-tokens", Integer.toString(generated))
                    .header("x-model-version", generation.modelVersion())
                    .body(new GenerateResponse(generation.generatedText()));
        }
    }

    /** TGI: a request without a parameters object samples. */
    private static GenerateParameters defaultParameters() {
        return new GenerateParameters(null, true, null, null, null, null, null, null);
    }

    private SamplingParameters samplingParameters(GenerateParameters p) {
        int maxNewTokens = p.maxNewTokens() != null ? p.maxNewTokens() : limits.defaultMaxNewTokens();
        if (maxNewTokens > limits.maxNewTokensLimit()) {
            throw new InvalidRequestException("parameters.max_new_tokens must be at most " + limits.maxNewTokensLimit() + "; given: " + maxNewTokens);
        }
        return new SamplingParameters(maxNewTokens, Boolean.TRUE.equals(p.doSample()),
                p.temperature() != null ? p.temperature() : 1f, p.topK(), p.topP(), p.seed(),
                p.stop() != null ? p.stop() : List.of());
    }

    private static int[] encode(ModelRegistry.Lease lease, String inputs, Integer truncate) {
        try {
            return Generator.encodePrompt(lease.model(), inputs, truncate);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage());
        }
    }
}
