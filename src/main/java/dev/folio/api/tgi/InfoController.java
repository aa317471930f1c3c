package dev.folio.api.tgi;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.folio.FolioProperties;
import dev.folio.api.ModelRouter;
import dev.folio.api.inspect.InspectProperties;
import dev.folio.api.Protocol;
import dev.folio.api.WireProtocol;
import dev.folio.api.chat.ChatPrompts;
import dev.folio.chat.TypographicNormalizer;
import dev.folio.inference.ConcurrencyLimiter;
import dev.folio.model.ServingPath;
import dev.folio.model.StepThreads;
import dev.folio.store.ModelMetadata;
import dev.folio.store.ModelRegistry;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** TGI's {@code GET /info} and {@code GET /health}, and {@code /docs} → Swagger UI as TGI has it. */
@Protocol(WireProtocol.TGI)
@RestController
@Tag(name = "Text Generation Inference")
public class InfoController {

    private final ModelRegistry registry;
    private final ModelRouter router;
    private final FolioProperties.Generation limits;
    private final ConcurrencyLimiter limiter;
    private final String version;
    private final Map<String, String> speakers;
    private final InspectProperties inspect;

    public InfoController(ModelRegistry registry, ModelRouter router, FolioProperties properties, ConcurrencyLimiter limiter,
            ObjectProvider<BuildProperties> build, InspectProperties inspect) {
        this.inspect = inspect;
        this.registry = registry;
        this.router = router;
        this.limits = properties.generation();
        this.limiter = limiter;
        this.speakers = properties.chat().speakers().byRole();
        BuildProperties info = build.getIfAvailable();
        this.version = info != null ? info.getVersion() : "dev";
    }

    /** TGI's Info (the fields that apply), plus Folio's own about the served model and its limits. */
    public record Info(
            @JsonProperty("model_id") String modelId,
            @JsonProperty("model_sha") String modelSha,
            @JsonProperty("model_pipeline_tag") String modelPipelineTag,
            @JsonProperty("max_concurrent_requests") int maxConcurrentRequests,
            @JsonProperty("max_best_of") int maxBestOf,
            @JsonProperty("max_stop_sequences") int maxStopSequences,
            @JsonProperty("max_input_tokens") int maxInputTokens,
            @JsonProperty("max_total_tokens") int maxTotalTokens,
            @JsonProperty("validation_workers") int validationWorkers,
            @JsonProperty("max_client_batch_size") int maxClientBatchSize,
            @JsonProperty("router") String router,
            @JsonProperty("version") String version,
            @JsonProperty("sha") String sha,
            @JsonProperty("docker_label") String dockerLabel,
            @JsonProperty("model_version") String modelVersion,
            @JsonProperty("parameter_count") long parameterCount,
            @JsonProperty("block_size") int blockSize,
            @JsonProperty("vocabulary") String vocabulary,
            @JsonProperty("val_loss") Float valLoss,
            @JsonProperty("limits") Map<String, Object> limits,
            @JsonProperty("chat_template") String chatTemplate,
            @JsonProperty("chat_stop") List<String> chatStop,
            @JsonProperty("chat_speakers") Map<String, String> chatSpeakers,
            @JsonProperty("chat_normalisation") Map<String, List<String>> chatNormalisation,
            @JsonProperty("serving_path") ServingPathInfo servingPath,
            @JsonProperty("models") List<ServedModel> models) {}

    /** Which weight products a model's passes run, and why: each path tried at load against the float64 reference. */
    public record ServingPathInfo(
            @JsonProperty("products") String products,
            @JsonProperty("reason") String reason,
            @JsonProperty("verified") boolean verified,
            @JsonProperty("tolerance") double tolerance,
            @JsonProperty("check_ms") long checkMillis,
            @JsonProperty("candidates") List<CandidateInfo> candidates,
            @JsonProperty("step_threads") StepThreadsInfo stepThreads) {

        static ServingPathInfo of(ServingPath path) {
            StepThreads threads = path.stepThreads();
            return new ServingPathInfo(path.name(), path.reason(), path.verified(), path.tolerance(), path.checkMillis(),
                    path.candidates().stream().map(c -> new CandidateInfo(ServingPath.name(c.products()),
                            Double.isFinite(c.relativeError()) ? c.relativeError() : null, c.worstPass(), c.agrees())).toList(),
                    new StepThreadsInfo(threads.singleThreadBelowRows(), threads.threads(), threads.measureMillis(),
                            threads.probes().stream().map(p -> new StepThreadsProbe(p.rows(), p.oneThreadMs(), p.allThreadsMs())).toList()));
        }
    }

    /**
     * On how many libtorch threads this model's decoding steps run, as measured when it loaded (unless
     * {@code folio.generation.single-thread-below-rows} fixes it): one below {@code single_thread_below_rows} rows.
     */
    public record StepThreadsInfo(
            @JsonProperty("single_thread_below_rows") int singleThreadBelowRows,
            @JsonProperty("threads") int threads,
            @JsonProperty("measure_ms") long measureMillis,
            @JsonProperty("probes") List<StepThreadsProbe> probes) {}

    /** One batch size timed at load: ms a decoding step on one thread and on all. */
    public record StepThreadsProbe(
            @JsonProperty("rows") int rows,
            @JsonProperty("one_thread_ms") double oneThreadMs,
            @JsonProperty("all_threads_ms") double allThreadsMs) {}

    /** One path tried: its largest error relative to the logits' magnitude (null if it could not run), and the pass that showed it. */
    public record CandidateInfo(
            @JsonProperty("products") String products,
            @JsonProperty("relative_error") Double relativeError,
            @JsonProperty("worst_pass") String worstPass,
            @JsonProperty("agrees") boolean agrees) {}

    /** One served model, as /info lists them all. */
    public record ServedModel(@JsonProperty("model_id") String modelId, @JsonProperty("model_version") String modelVersion,
            @JsonProperty("parameter_count") long parameterCount, @JsonProperty("vocabulary_size") int vocabularySize,
            @JsonProperty("block_size") int blockSize, @JsonProperty("default") boolean isDefault,
            @JsonProperty("serving_path") ServingPathInfo servingPath) {}

    @Operation(summary = "Text Generation Inference endpoint info",
            description = "The default model's info (or ?model=NAME's), its limits, and every served model in models")
    @GetMapping("/info")
    public ResponseEntity<Info> info(@RequestParam(name = "model", required = false) String model) {
        ModelRegistry registry = router.resolve(model, "model");
        return registry.currentMetadata().map(m -> info(m, registry)).map(ResponseEntity::ok)
                .orElseGet(() -> ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).build());
    }

    private Info info(ModelMetadata m, ModelRegistry registry) {
        ModelMetadata.Chat chat = ChatPrompts.settings(m);
        int block = m.architecture().blockSize();
        return new Info(m.modelName(), m.version(), "text-generation", limiter.limit(), limits.maxBestOf(), limits.maxStopSequences(), block,
                block + limits.maxNewTokensLimit(), 1, 1, "folio", version, null, null, m.version(), m.parameterCount(), block,
                m.vocabulary(), m.training() != null ? m.training().valLoss() : null, limits(), chat.template(), chat.stop(), speakers,
                TypographicNormalizer.replacements(), servingPath(registry), served());
    }

    private List<ServedModel> served() {
        List<ServedModel> served = new ArrayList<>();
        for (ModelRegistry r : router.registries().all()) {
            r.currentMetadata().ifPresent(m -> served.add(new ServedModel(m.modelName(), m.version(), m.parameterCount(),
                    m.architecture().vocabSize(), m.architecture().blockSize(), m.modelName().equals(router.registries().defaultName()),
                    servingPath(r))));
        }
        return served;
    }

    private static ServingPathInfo servingPath(ModelRegistry registry) {
        return registry.currentServingPath().map(ServingPathInfo::of).orElse(null);
    }

    private Map<String, Object> limits() {
        Map<String, Object> published = new LinkedHashMap<>();
        published.put("default_max_new_tokens", limits.defaultMaxNewTokens());
        published.put("max_new_tokens", limits.maxNewTokensLimit());
        published.put("max_input_length", limits.maxInputLength());
        published.put("max_stop_sequences", limits.maxStopSequences());
        published.put("max_stop_sequence_length", limits.maxStopSequenceLength());
        published.put("max_top_n_tokens", limits.maxTopNTokens());
        published.put("max_concurrent_requests", limits.maxConcurrentRequests());
        published.put("max_batch_size", limits.maxBatchSize());
        published.put("max_request_bytes", limits.maxRequestBytes());
        published.put("scoring_threads", limits.scoringThreads());
        published.put("max_concurrent_scoring", limits.maxConcurrentScoring());
        published.put("max_scoring_response_bytes", limits.maxScoringResponseBytes());
        published.put("max_best_of", limits.maxBestOf());
        published.put("max_grammar_length", limits.maxGrammarLength());
        published.put("max_grammar_states", limits.maxGrammarStates());
        published.put("kv_memory_budget_bytes", limits.kvBudget().bytesPerModel());
        published.put("inspect", inspect.published());
        return published;
    }

    /**
     * What {@code /health} answers: TGI's is an empty 200, but an operator's probe or curl wants to see what is up.
     *
     * @param status "ok" when the default model is loaded, else "unavailable"
     * @param models every model served now
     */
    public record Health(@JsonProperty("status") String status, @JsonProperty("models") List<HealthModel> models) {}

    /** One served model as /health names it. */
    public record HealthModel(@JsonProperty("model_id") String modelId, @JsonProperty("model_version") String modelVersion,
            @JsonProperty("default") boolean isDefault) {}

    @Operation(summary = "Health check: 200 and the served models when the default model is loaded, 503 otherwise")
    @GetMapping("/health")
    public ResponseEntity<Health> health() {
        List<HealthModel> models = new ArrayList<>();
        for (ModelRegistry r : router.registries().all()) {
            r.currentMetadata().ifPresent(m -> models.add(new HealthModel(m.modelName(), m.version(),
                    m.modelName().equals(router.registries().defaultName()))));
        }
        boolean up = registry.currentMetadata().isPresent();
        return ResponseEntity.status(up ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).body(new Health(up ? "ok" : "unavailable", models));
    }

    @GetMapping("/docs")
    public ResponseEntity<Void> docs() {
        return ResponseEntity.status(HttpStatus.FOUND).location(URI.create("/swagger-ui.html")).build();
    }
}
