package dev.folio.api.inspect;

import dev.folio.api.IgnoredFields;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.folio.inspect.Distribution;
import dev.folio.inspect.Inspector;
import dev.folio.tokenizer.CharTokenizer;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /inspect/lens}: the logit lens, every residual stream read as if it were the last. */
@RestController
@Tag(name = "Inspect")
public class LensController {

    private final InspectedModels models;
    private final InspectionPool pool;
    private final InspectProperties limits;

    public LensController(InspectedModels models, InspectionPool pool, InspectProperties limits) {
        this.models = models;
        this.pool = pool;
        this.limits = limits;
    }

    public record LensRequest(@Schema(example = "ROMEO:\nBut soft") @JsonProperty("inputs") @NotNull String inputs,
            @JsonProperty("positions") InspectWire.Positions positions, @Schema(example = "3") @JsonProperty("top_k") Integer topK,
            @JsonProperty("model") String model, @JsonProperty("version") String version,
            @Schema(hidden = true) @JsonAnySetter Map<String, JsonNode> unknownFields) {}

    /** One stage's reading at one position. */
    public record Cell(@JsonProperty("top") List<InspectWire.Candidate> top, @JsonProperty("entropy") double entropy,
            @JsonProperty("kl_to_final") double klToFinal) {}

    public record Row(@JsonProperty("position") int position, @JsonProperty("token") InspectWire.Token token, @JsonProperty("cells") List<Cell> cells) {}

    public record LensResponse(@JsonProperty("model") String model, @JsonProperty("version") String version,
            @JsonProperty("model_version") String modelVersion, @JsonProperty("config") InspectWire.Config config,
            @JsonProperty("tokens") List<InspectWire.Token> tokens, @JsonProperty("stages") List<String> stages,
            @JsonProperty("positions") List<Row> positions) {}

    @Operation(summary = "The logit lens: each residual stream decoded through the final LayerNorm and the unembedding",
            description = "A position × stage grid (stages: blocks.0.hook_resid_pre, then each layer's hook_resid_mid and hook_resid_post) of "
                    + "the top characters with their probabilities, the entropy, and the KL divergence KL(final ‖ stage) in nats. "
                    + "The last stage is the model's own output, equal to /logits'.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(examples = @ExampleObject(
                    value = "{\"inputs\": \"ROMEO:\\nBut soft\", \"positions\": {\"start\": 10, \"end\": 15}, \"top_k\": 3}"))))
    @PostMapping(path = "/inspect/lens", consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    public LensResponse lens(@Valid @RequestBody LensRequest request, HttpServletResponse response) {
        IgnoredFields.refuseAll(new IgnoredFields.Unknown("", request.unknownFields(), LensRequest.class));
        int topK = InspectController.topK(request.topK() == null ? 3 : request.topK(), limits);
        try (InspectedModels.Subject subject = models.open(request.model(), request.version(), response)) {
            Inspector inspector = subject.inspector();
            int[] ids = subject.tokens(request.inputs(), "inputs", limits.maxPositions());
            int[] range = TensorRequests.range(request.positions(), ids.length);
            int start = range[0];
            int end = range[1];
            float[][][] grid = pool.run(() -> inspector.lens(ids));
            CharTokenizer tokenizer = subject.model().tokenizer();
            List<InspectWire.Token> tokens = InspectWire.Token.of(tokenizer, ids);
            List<Row> rows = new ArrayList<>();
            for (int p = start; p < end; p++) {
                Distribution last = Distribution.of(grid[grid.length - 1][p]);
                List<Cell> cells = new ArrayList<>();
                for (float[][] stage : grid) {
                    Distribution reading = Distribution.of(stage[p]);
                    cells.add(new Cell(InspectWire.Candidate.top(tokenizer, reading, topK), reading.entropy(), last.kl(reading)));
                }
                rows.add(new Row(p, tokens.get(p), cells));
            }
            return new LensResponse(subject.name(), subject.version(), subject.modelVersion(), InspectWire.Config.of(inspector.config()), tokens,
                    inspector.lensStages(), rows);
        }
    }
}
