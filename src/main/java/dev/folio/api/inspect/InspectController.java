package dev.folio.api.inspect;

import dev.folio.api.IgnoredFields;
import tools.jackson.databind.JsonNode;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.folio.api.InvalidRequestException;
import dev.folio.inspect.Distribution;
import dev.folio.inspect.Inspector;
import dev.folio.inspect.Interventions;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /inspect}: run a text and capture the named intermediates (TransformerLens's run_with_cache, over HTTP). */
@RestController
@Tag(name = "Inspect", description = "Inside the model: every intermediate by name, the logit lens, interventions, patching, embeddings (docs/inspect.md)")
public class InspectController {

    static final String EXAMPLE = """
            {"inputs": "ROMEO:\\nBut soft", "hooks": ["blocks.*.attn.hook_pattern", "blocks.0.ln1.hook_normalized"],
             "layers": [0, 1], "heads": [2], "positions": {"start": 0, "end": 15}, "encoding": "json", "top_k": 5}""";

    private final InspectedModels models;
    private final InspectionPool pool;
    private final TensorRequests tensors;
    private final InspectProperties limits;

    public InspectController(InspectedModels models, InspectionPool pool, TensorRequests tensors, InspectProperties limits) {
        this.models = models;
        this.pool = pool;
        this.tensors = tensors;
        this.limits = limits;
    }

    public record InspectRequest(
            @Schema(example = "ROMEO:\nBut soft") @JsonProperty("inputs") @NotNull String inputs,
            @Schema(description = "Hook names or patterns (* matches any run of characters)", example = "[\"blocks.*.attn.hook_pattern\"]")
            @JsonProperty("hooks") List<String> hooks,
            @Schema(description = "Keep only these layers' blocks.L.* hooks") @JsonProperty("layers") List<Integer> layers,
            @Schema(description = "Keep only these heads on a head axis, in this order") @JsonProperty("heads") List<Integer> heads,
            @JsonProperty("positions") InspectWire.Positions positions,
            @Schema(allowableValues = {"json", "float32", "float16", "int8", "npy"}) @JsonProperty("encoding") String encoding,
            @Schema(allowableValues = {"dense", "causal"}) @JsonProperty("layout") String layout,
            @Schema(example = "5") @JsonProperty("top_k") Integer topK,
            @Schema(description = "Which served model (default: the default model)", example = "shakespeare-char") @JsonProperty("model") String model,
            @Schema(description = "A version in the store (default: the one served now)", example = "v20261128-191341") @JsonProperty("version") String version,
            @Schema(hidden = true) @JsonAnySetter Map<String, JsonNode> unknownFields) {}

    public record InspectResponse(@JsonProperty("model") String model, @JsonProperty("version") String version,
            @JsonProperty("model_version") String modelVersion, @JsonProperty("config") InspectWire.Config config,
            @JsonProperty("tokens") List<InspectWire.Token> tokens, @JsonProperty("next_token") InspectWire.NextToken nextToken,
            @JsonProperty("selection") InspectWire.Selected selection, @JsonProperty("tensors") Map<String, InspectWire.Tensor> tensors) {}

    @Operation(summary = "Run a text and capture the intermediates asked for",
            description = "The tokens, the next-token distribution, and each hook asked for (names or patterns such as "
                    + "blocks.*.attn.hook_pattern, filtered by layer, head and position) as {axes, shape, dtype, encoding, layout, max_error, data}. "
                    + "Encodings: json (nested arrays, small selections), float32, float16 or int8 with a scale (base64), the causal lower triangle "
                    + "for attention, or npy (one tensor, application/x-npy). Hook names and their axes: docs/inspect.md.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(examples = @ExampleObject(value = EXAMPLE))),
            responses = @ApiResponse(responseCode = "200", content = {@Content(mediaType = "application/json",
                    schema = @Schema(implementation = InspectResponse.class)), @Content(mediaType = Npy.MEDIA_TYPE)}))
    @PostMapping(path = "/inspect", consumes = MediaType.APPLICATION_JSON_VALUE, produces = {MediaType.APPLICATION_JSON_VALUE, Npy.MEDIA_TYPE})
    public ResponseEntity<?> inspect(@Valid @RequestBody InspectRequest request, HttpServletResponse response) {
        IgnoredFields.refuseAll(new IgnoredFields.Unknown("", request.unknownFields(), InspectRequest.class));
        try (InspectedModels.Subject subject = models.open(request.model(), request.version(), response)) {
            Inspector inspector = subject.inspector();
            int[] ids = subject.tokens(request.inputs(), "inputs", limits.maxPositions());
            int topK = topK(request.topK(), limits);
            TensorRequests.Ask ask = tensors.parse(inspector, ids.length,
                    new TensorRequests.Fields(request.hooks(), request.layers(), request.heads(), request.positions(), request.encoding(), request.layout()));
            if (ask.npy()) {
                String hook = ask.hooks().get(0);
                byte[] file = pool.run(() -> Npy.of(ask.selection().apply(inspector.run(ids, ask.hooks(), Interventions.NONE).tensors().get(hook))));
                return ResponseEntity.ok().contentType(MediaType.parseMediaType(Npy.MEDIA_TYPE)).header("X-Folio-Tensor", hook).body(file);
            }
            int last = ids.length - 1;
            InspectResponse answer = pool.run(() -> { // encoding too: all the heavy work stays on the inspection threads
                Inspector.Run run = inspector.run(ids, ask.hooks(), Interventions.NONE);
                return new InspectResponse(subject.name(), subject.version(), subject.modelVersion(), InspectWire.Config.of(inspector.config()),
                        InspectWire.Token.of(subject.model().tokenizer(), ids),
                        InspectWire.NextToken.of(subject.model().tokenizer(), last, Distribution.of(run.logits()[last]), topK, false),
                        tensors.selected(ask, inspector.config().nLayer()), tensors.encode(ask, run.tensors()));
            });
            return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(answer);
        }
    }

    static int topK(Integer given, InspectProperties limits) {
        int topK = given == null ? 5 : given;
        if (topK < 0 || topK > limits.maxTopK()) {
            throw new InvalidRequestException("top_k must be 0 to " + limits.maxTopK() + " (folio.inspect.max-top-k); given " + topK, "top_k");
        }
        return topK;
    }
}
