package dev.folio.api.inspect;

import dev.folio.api.IgnoredFields;
import tools.jackson.databind.JsonNode;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.folio.api.InvalidRequestException;
import dev.folio.inspect.Distribution;
import dev.folio.inspect.Inspector;
import dev.folio.inspect.Intervention;
import dev.folio.inspect.Interventions;
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
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /inspect/intervene}: the same text as served and under declarative interventions, side by side. */
@RestController
@Tag(name = "Inspect")
public class InterveneController {

    static final String EXAMPLE = """
            {"inputs": "ROMEO:\\nBut soft", "interventions": [{"kind": "ablate_head", "layer": 0, "head": 1, "mode": "zero"}],
             "logit_diff": {"correct": "t", "wrong": "n"}, "generate": {"max_new_tokens": 40}, "top_k": 5}""";

    private final InspectedModels models;
    private final InspectionPool pool;
    private final TensorRequests tensors;
    private final InspectProperties limits;

    public InterveneController(InspectedModels models, InspectionPool pool, TensorRequests tensors, InspectProperties limits) {
        this.models = models;
        this.pool = pool;
        this.tensors = tensors;
        this.limits = limits;
    }

    /** Two tokens whose logit difference is measured. */
    public record LogitDiffRequest(@Schema(example = "t") @JsonProperty("correct") String correct, @Schema(example = "n") @JsonProperty("wrong") String wrong) {}

    public record GenerateRequest(@Schema(example = "40") @JsonProperty("max_new_tokens") Integer maxNewTokens) {}

    public record InterveneRequest(@Schema(example = "ROMEO:\nBut soft") @JsonProperty("inputs") @NotNull String inputs,
            @JsonProperty("interventions") List<InterventionSpec> interventions,
            @Schema(description = "Where the distributions are read (default: the last position)") @JsonProperty("position") Integer position,
            @JsonProperty("logit_diff") LogitDiffRequest logitDiff, @JsonProperty("generate") GenerateRequest generate,
            @JsonProperty("top_k") Integer topK,
            @Schema(description = "Activations of the intervened run, as /inspect's") @JsonProperty("hooks") List<String> hooks,
            @JsonProperty("layers") List<Integer> layers, @JsonProperty("heads") List<Integer> heads,
            @JsonProperty("positions") InspectWire.Positions positions, @JsonProperty("encoding") String encoding,
            @JsonProperty("layout") String layout, @JsonProperty("model") String model, @JsonProperty("version") String version,
            @Schema(hidden = true) @JsonAnySetter Map<String, JsonNode> unknownFields) {}

    public record LogitDiff(@JsonProperty("correct") String correct, @JsonProperty("wrong") String wrong, @JsonProperty("baseline") double baseline,
            @JsonProperty("intervened") double intervened, @JsonProperty("change") double change) {}

    public record Generation(@JsonProperty("max_new_tokens") int maxNewTokens, @JsonProperty("baseline") String baseline,
            @JsonProperty("intervened") String intervened) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record InterveneResponse(@JsonProperty("model") String model, @JsonProperty("version") String version,
            @JsonProperty("model_version") String modelVersion, @JsonProperty("config") InspectWire.Config config,
            @JsonProperty("tokens") List<InspectWire.Token> tokens, @JsonProperty("position") int position,
            @JsonProperty("vocabulary") List<String> vocabulary, @JsonProperty("baseline") InspectWire.NextToken baseline,
            @JsonProperty("intervened") InspectWire.NextToken intervened, @JsonProperty("kl") double kl,
            @JsonProperty("per_position_kl") double[] perPositionKl, @JsonProperty("logit_diff") LogitDiff logitDiff,
            @JsonProperty("generation") Generation generation, @JsonProperty("tensors") Map<String, InspectWire.Tensor> tensors) {}

    @Operation(summary = "The text as served and under interventions, side by side",
            description = "Declarative interventions (ablate or scale a head, ablate an MLP neuron or a residual direction, patch an activation "
                    + "from a second text, remove the 1/√d scaling, lift the causal mask, drop the positional embeddings, skip a LayerNorm), applied "
                    + "to this request's activations only. Answers both next-token distributions, their KL divergence (also per position), the "
                    + "change in a logit difference, optionally a short greedy generation under the interventions, and intervened activations.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(examples = {
                    @ExampleObject(name = "ablate a head", value = EXAMPLE),
                    @ExampleObject(name = "lift the causal mask", value = "{\"inputs\": \"ROMEO:\\nBut soft\", \"interventions\": [{\"kind\": \"no_causal_mask\"}], "
                            + "\"hooks\": [\"blocks.0.attn.hook_pattern\"], \"heads\": [0]}"),
                    @ExampleObject(name = "patch from a second text", value = "{\"inputs\": \"ROMEO:\\nBut soft\", \"interventions\": [{\"kind\": \"patch\", "
                            + "\"hook\": \"blocks.2.hook_resid_pre\", \"source\": \"JULIET:\\nBut har\", \"positions\": [14]}]}")})))
    @PostMapping(path = "/inspect/intervene", consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    public InterveneResponse intervene(@Valid @RequestBody InterveneRequest request, HttpServletResponse response) {
        IgnoredFields.refuseAll(new IgnoredFields.Unknown("", request.unknownFields(), InterveneRequest.class));
        int topK = InspectController.topK(request.topK(), limits);
        try (InspectedModels.Subject subject = models.open(request.model(), request.version(), response)) {
            Inspector inspector = subject.inspector();
            CharTokenizer tokenizer = subject.model().tokenizer();
            int[] ids = subject.tokens(request.inputs(), "inputs", limits.maxPositions());
            Interventions interventions = interventions(request.interventions(), inspector, tokenizer, ids);
            int position = position(request.position(), ids.length);
            int[] diff = request.logitDiff() == null ? null
                    : new int[] {character(tokenizer, "logit_diff.correct", request.logitDiff().correct()),
                            character(tokenizer, "logit_diff.wrong", request.logitDiff().wrong())};
            int generate = generateTokens(request.generate(), interventions);
            if ("npy".equals(request.encoding())) {
                throw new InvalidRequestException("encoding: npy is /inspect's (one tensor as the whole answer); here json, float32, float16 or int8",
                        "encoding");
            }
            TensorRequests.Ask ask = tensors.parse(inspector, ids.length, new TensorRequests.Fields(request.hooks(), request.layers(), request.heads(),
                    request.positions(), request.encoding(), request.layout()));
            return pool.run(() -> {
                float[][] baseline = inspector.run(ids, List.of(), Interventions.NONE).logits();
                Inspector.Run intervened = inspector.run(ids, ask.hooks(), interventions);
                double[] perPosition = new double[ids.length];
                for (int p = 0; p < ids.length; p++) {
                    perPosition[p] = Distribution.of(baseline[p]).kl(Distribution.of(intervened.logits()[p]));
                }
                Distribution before = Distribution.of(baseline[position]);
                Distribution after = Distribution.of(intervened.logits()[position]);
                LogitDiff logitDiff = diff == null ? null : logitDiff(request.logitDiff(), diff, baseline[position], intervened.logits()[position]);
                Generation generation = generate == 0 ? null : new Generation(generate,
                        tokenizer.decode(inspector.greedy(ids, Interventions.NONE, generate)), tokenizer.decode(inspector.greedy(ids, interventions, generate)));
                return new InterveneResponse(subject.name(), subject.version(), subject.modelVersion(), InspectWire.Config.of(inspector.config()),
                        InspectWire.Token.of(tokenizer, ids), position, vocabulary(tokenizer),
                        InspectWire.NextToken.of(tokenizer, position, before, topK, true), InspectWire.NextToken.of(tokenizer, position, after, topK, true),
                        perPosition[position], perPosition, logitDiff, generation, ask.hooks().isEmpty() ? null : tensors.encode(ask, intervened.tensors()));
            });
        }
    }

    private Interventions interventions(List<InterventionSpec> specs, Inspector inspector, CharTokenizer tokenizer, int[] ids) {
        List<InterventionSpec> given = specs == null ? List.of() : specs;
        if (given.size() > limits.maxInterventions()) {
            throw new InvalidRequestException("interventions: at most " + limits.maxInterventions() + " (folio.inspect.max-interventions); given "
                    + given.size(), "interventions");
        }
        List<Intervention> resolved = new ArrayList<>();
        for (int i = 0; i < given.size(); i++) {
            if (given.get(i) == null) {
                throw new InvalidRequestException("interventions[" + i + "]: an object with a kind", "interventions");
            }
            resolved.add(given.get(i).resolve(i, inspector, tokenizer, ids));
        }
        return new Interventions(resolved);
    }

    static int position(Integer given, int length) {
        int position = given == null || given == -1 ? length - 1 : given;
        if (position < 0 || position >= length) {
            throw new InvalidRequestException("position: 0 to " + (length - 1) + " (or -1, the last); given " + given, "position");
        }
        return position;
    }

    static int character(CharTokenizer tokenizer, String field, String text) {
        if (text == null || text.length() != 1) {
            throw new InvalidRequestException(field + ": one character; given " + (text == null ? "none" : "'" + text + "'"), field);
        }
        return InvalidRequestException.whenRefused(field, field + ": ", () -> tokenizer.encode(text))[0];
    }

    private int generateTokens(GenerateRequest generate, Interventions interventions) {
        if (generate == null) {
            return 0;
        }
        Integer tokens = generate.maxNewTokens();
        if (tokens == null || tokens < 1 || tokens > limits.maxGenerateTokens()) {
            throw new InvalidRequestException("generate.max_new_tokens: 1 to " + limits.maxGenerateTokens() + " (folio.inspect.max-generate-tokens); given "
                    + tokens, "generate.max_new_tokens");
        }
        if (interventions.patches()) {
            throw new InvalidRequestException("generate: a patch takes its source text's activations position by position, which a growing text "
                    + "outruns; generate without patch interventions", "generate");
        }
        return tokens;
    }

    private static LogitDiff logitDiff(LogitDiffRequest asked, int[] ids, float[] baseline, float[] intervened) {
        double before = baseline[ids[0]] - baseline[ids[1]];
        double after = intervened[ids[0]] - intervened[ids[1]];
        return new LogitDiff(asked.correct(), asked.wrong(), before, after, after - before);
    }

    static List<String> vocabulary(CharTokenizer tokenizer) {
        List<String> vocabulary = new ArrayList<>(tokenizer.vocabSize());
        for (int id = 0; id < tokenizer.vocabSize(); id++) {
            vocabulary.add(tokenizer.decode(id));
        }
        return vocabulary;
    }
}
