package dev.folio.api.inspect;

import dev.folio.api.IgnoredFields;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.folio.api.InvalidRequestException;
import dev.folio.inspect.Inspector;
import dev.folio.inspect.PatchingSweep;
import dev.folio.tokenizer.CharTokenizer;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.util.List;
import java.util.stream.IntStream;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /inspect/patching}: an activation-patching sweep over layers × heads or layers × positions. */
@RestController
@Tag(name = "Inspect")
public class PatchingController {

    private static final List<String> STREAMS = List.of("resid_pre", "resid_mid", "resid_post", "attn_out", "mlp_out");

    private final InspectedModels models;
    private final InspectionPool pool;
    private final InspectProperties limits;

    public PatchingController(InspectedModels models, InspectionPool pool, InspectProperties limits) {
        this.models = models;
        this.pool = pool;
        this.limits = limits;
    }

    /** {@code logit_diff} (correct, wrong) or {@code prob} (token). */
    public record MetricRequest(@Schema(allowableValues = {"logit_diff", "prob"}, example = "logit_diff") @JsonProperty("kind") String kind,
            @Schema(example = "t") @JsonProperty("correct") String correct, @Schema(example = "n") @JsonProperty("wrong") String wrong,
            @JsonProperty("token") String token) {}

    public record PatchingRequest(@Schema(example = "ROMEO:\nBut soft", description = "the clean text") @JsonProperty("inputs") @NotNull String inputs,
            @Schema(example = "JULIET:\nBut har", description = "the corrupted text, as long as inputs") @JsonProperty("corrupted") String corrupted,
            @Schema(allowableValues = {"layer_head", "layer_position"}) @JsonProperty("grid") String grid,
            @Schema(allowableValues = {"resid_pre", "resid_mid", "resid_post", "attn_out", "mlp_out"}) @JsonProperty("stream") String stream,
            @Schema(allowableValues = {"denoise", "noise"}) @JsonProperty("direction") String direction,
            @JsonProperty("metric") MetricRequest metric, @JsonProperty("position") Integer position,
            @JsonProperty("model") String model, @JsonProperty("version") String version,
            @Schema(hidden = true) @JsonAnySetter Map<String, JsonNode> unknownFields) {}

    public record Cost(@JsonProperty("runs") int runs, @JsonProperty("token_positions") long tokenPositions, @JsonProperty("cpu_ms") double cpuMs) {}

    public record PatchingResponse(@JsonProperty("model") String model, @JsonProperty("version") String version,
            @JsonProperty("model_version") String modelVersion, @JsonProperty("config") InspectWire.Config config,
            @JsonProperty("tokens") List<InspectWire.Token> tokens, @JsonProperty("corrupted_tokens") List<InspectWire.Token> corruptedTokens,
            @JsonProperty("grid") String grid, @JsonProperty("hook") String hook, @JsonProperty("direction") String direction,
            @JsonProperty("position") int position, @JsonProperty("rows") List<Integer> rows, @JsonProperty("columns") List<Integer> columns,
            @JsonProperty("values") double[][] values, @JsonProperty("clean_metric") double cleanMetric,
            @JsonProperty("corrupted_metric") double corruptedMetric, @JsonProperty("normalized") Double[][] normalized,
            @JsonProperty("cost") Cost cost) {}

    @Operation(summary = "An activation-patching sweep",
            description = "Given a clean and a corrupted text of the same length and a metric, the layer × head grid (patching one head's hook_z) "
                    + "or the layer × position grid (patching one residual stream at one position) of the metric under each patch, and each "
                    + "normalised: 1 means the patch moves the metric all the way to the other text's. Bounded by folio.inspect.max-patching-runs "
                    + "cells (checked before anything runs); cost says how many passes and how much processor time it took.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(examples = @ExampleObject(value = """
                    {"inputs": "ROMEO:\\nBut soft", "corrupted": "JULIET:\\nBut har", "grid": "layer_head", "direction": "denoise",
                     "metric": {"kind": "logit_diff", "correct": "t", "wrong": "n"}}"""))))
    @PostMapping(path = "/inspect/patching", consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    public PatchingResponse patching(@Valid @RequestBody PatchingRequest request, HttpServletResponse response) {
        IgnoredFields.refuseAll(new IgnoredFields.Unknown("", request.unknownFields(), PatchingRequest.class));
        try (InspectedModels.Subject subject = models.open(request.model(), request.version(), response)) {
            Inspector inspector = subject.inspector();
            CharTokenizer tokenizer = subject.model().tokenizer();
            int[] clean = subject.tokens(request.inputs(), "inputs", limits.maxPositions());
            int[] corrupted = subject.tokens(request.corrupted(), "corrupted", limits.maxPositions());
            if (corrupted.length != clean.length) {
                throw new InvalidRequestException("corrupted: as long as inputs (" + clean.length + " characters); given " + corrupted.length, "corrupted");
            }
            PatchingSweep.Grid grid = TensorRequests.choose("grid", request.grid(), PatchingSweep.Grid.LAYER_HEAD, PatchingSweep.Grid.values());
            String stream = request.stream() == null ? "resid_pre" : request.stream();
            if (!STREAMS.contains(stream)) {
                throw new InvalidRequestException("stream: one of " + STREAMS + "; given '" + stream + "'", "stream");
            }
            String direction = request.direction() == null ? "denoise" : request.direction();
            if (!direction.equals("denoise") && !direction.equals("noise")) {
                throw new InvalidRequestException("direction: \"denoise\" or \"noise\"; given '" + direction + "'", "direction");
            }
            PatchingSweep.Metric metric = metric(request.metric(), tokenizer);
            int position = InterveneController.position(request.position(), clean.length);
            int runs = PatchingSweep.runs(grid, inspector.config(), clean.length);
            if (runs > limits.maxPatchingRuns()) {
                throw new InvalidRequestException("grid: " + runs + " cells (one pass each) are over the limit of " + limits.maxPatchingRuns()
                        + " (folio.inspect.max-patching-runs); ask for layer_head, or a shorter text", "grid");
            }
            PatchingSweep.Result result = pool.run(() -> PatchingSweep.run(inspector, clean, corrupted, grid, stream, direction.equals("denoise"),
                    metric, position));
            double own = direction.equals("denoise") ? result.corruptedMetric() : result.cleanMetric();
            double other = direction.equals("denoise") ? result.cleanMetric() : result.corruptedMetric();
            Double[][] normalized = new Double[result.values().length][];
            for (int row = 0; row < normalized.length; row++) {
                normalized[row] = new Double[result.values()[row].length];
                for (int column = 0; column < normalized[row].length; column++) {
                    normalized[row][column] = other == own ? null : (result.values()[row][column] - own) / (other - own);
                }
            }
            int columns = result.values()[0].length;
            return new PatchingResponse(subject.name(), subject.version(), subject.modelVersion(), InspectWire.Config.of(inspector.config()),
                    InspectWire.Token.of(tokenizer, clean), InspectWire.Token.of(tokenizer, corrupted), grid.name().toLowerCase(java.util.Locale.ROOT),
                    grid == PatchingSweep.Grid.LAYER_HEAD ? "blocks.L.attn.hook_z" : "blocks.L.hook_" + stream, direction, position,
                    IntStream.range(0, inspector.config().nLayer()).boxed().toList(), IntStream.range(0, columns).boxed().toList(), result.values(),
                    result.cleanMetric(), result.corruptedMetric(), normalized,
                    new Cost(result.runs(), result.tokenPositions(), result.cpuNanos() / 1e6));
        }
    }

    private static PatchingSweep.Metric metric(MetricRequest metric, CharTokenizer tokenizer) {
        if (metric == null || metric.kind() == null) {
            throw new InvalidRequestException("metric: {\"kind\": \"logit_diff\", \"correct\", \"wrong\"} or {\"kind\": \"prob\", \"token\"} is required",
                    "metric");
        }
        return switch (metric.kind()) {
            case "logit_diff" -> PatchingSweep.Metric.logitDiff(InterveneController.character(tokenizer, "metric.correct", metric.correct()),
                    InterveneController.character(tokenizer, "metric.wrong", metric.wrong()));
            case "prob" -> PatchingSweep.Metric.prob(InterveneController.character(tokenizer, "metric.token", metric.token()));
            default -> throw new InvalidRequestException("metric.kind: \"logit_diff\" or \"prob\"; given '" + metric.kind() + "'", "metric.kind");
        };
    }
}
