package dev.folio.api.logits;

import dev.folio.api.IgnoredFields;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import dev.folio.api.InvalidRequestException;
import dev.folio.api.ModelRouter;
import dev.folio.api.ModelVersionHeader;
import dev.folio.api.ScoringBudget;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.folio.FolioProperties;
import dev.folio.inference.Generation;
import dev.folio.inference.DecodingRules;
import dev.folio.inference.ScoringPool;
import dev.folio.inference.TextScorer;
import dev.folio.inference.TokenSampler;
import dev.folio.store.LoadedModel;
import dev.folio.store.ModelRegistry;
import dev.folio.tokenizer.CharTokenizer;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** Folio's {@code POST /logits}: what the model predicts at each position of a text, and how surprised it is. */
@RestController
@Tag(name = "Folio", description = "Folio's own routes")
public class LogitsController {

    private final ModelRouter router;
    private final TextScorer scorer = new TextScorer();
    private final ScoringPool scoringPool;
    private final FolioProperties.Generation limits;
    private final ScoringBudget budget;

    public LogitsController(ModelRouter router, ScoringPool scoringPool, FolioProperties properties, ScoringBudget budget) {
        this.router = router;
        this.budget = budget;
        this.scoringPool = scoringPool;
        this.limits = properties.generation();
    }

    /**
     * @param inputs the text
     * @param positions "last" (default) or "all"
     * @param topN most likely next tokens per position (default 5)
     * @param includeLogits also return all V logits per position
     */
    public record LogitsRequest(
            @Schema(example = "ROMEO:\nBut soft") @JsonProperty("inputs") @NotNull String inputs,
            @Schema(allowableValues = {"last", "all"}) @JsonProperty("positions") @Pattern(regexp = "last|all", message = "must be \"last\" or \"all\"") String positions,
            @JsonProperty("top_n") @Min(0) Integer topN,
            @JsonProperty("include_logits") Boolean includeLogits,
            @Schema(description = "Which served model (default: the default model)", example = "shakespeare-char") @JsonProperty("model") String model,
            @Schema(hidden = true) @JsonAnySetter Map<String, JsonNode> unknownFields) {}

    /** One candidate next token. */
    public record Candidate(@JsonProperty("id") int id, @JsonProperty("text") String text, @JsonProperty("logit") float logit,
            @JsonProperty("logprob") float logprob) {}

    /** The token that actually follows a position, and the logprob the model gave it. */
    public record Actual(@JsonProperty("id") int id, @JsonProperty("text") String text, @JsonProperty("logprob") float logprob) {}

    /** A token of the input. */
    public record InputToken(@JsonProperty("id") int id, @JsonProperty("text") String text) {}

    /** The model's view after reading up to and including the token at {@code position}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Position(@JsonProperty("position") int position, @JsonProperty("token") InputToken token, @JsonProperty("top") List<Candidate> top,
            @JsonProperty("next_token") Actual nextToken, @JsonProperty("logits") float[] logits) {}

    /** How a long text was scored: windows of window_size tokens advancing by stride. */
    public record Window(@JsonProperty("size") int size, @JsonProperty("stride") int stride, @JsonProperty("windows") int windows,
            @JsonProperty("sliding") boolean sliding) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record LogitsResponse(@JsonProperty("model_version") String modelVersion, @JsonProperty("tokens") int tokens,
            @JsonProperty("mean_nll") Double meanNll, @JsonProperty("perplexity") Double perplexity,
            @JsonProperty("window") Window window, @JsonProperty("positions") List<Position> positions) {}

    @Operation(summary = "The model's next-token predictions for a text",
            description = "Per position: the top-n next tokens with logit and logprob, the logprob of the token that actually follows "
                    + "(where one does), optionally all logits; plus the text's mean negative log-likelihood and perplexity. "
                    + "Texts longer than the context window are scored with a sliding window, described in `window`.")
    @PostMapping(path = "/logits", consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    public LogitsResponse logits(@Valid @RequestBody LogitsRequest request) {
        IgnoredFields.refuseAll(new IgnoredFields.Unknown("", request.unknownFields(), LogitsRequest.class));
        int topN = request.topN() != null ? request.topN() : 5;
        if (topN > limits.maxTopNTokens()) {
            throw new InvalidRequestException("top_n must be at most " + limits.maxTopNTokens() + "; given: " + topN, "top_n");
        }
        if (request.inputs().isEmpty() || request.inputs().length() > limits.maxInputLength()) {
            throw new InvalidRequestException("inputs must have 1 to " + limits.maxInputLength() + " characters; given: " + request.inputs().length(), "inputs");
        }
        try (ModelRegistry.Lease lease = ModelVersionHeader.lease(router.resolve(request.model(), "model"))) {
            LoadedModel model = lease.model();
            CharTokenizer tokenizer = model.tokenizer();
            int[] ids = encode(tokenizer, request.inputs());
            boolean all = "all".equals(request.positions());
            boolean includeLogits = Boolean.TRUE.equals(request.includeLogits());
            checkAnswerSize(ids.length, all, topN, includeLogits, tokenizer.vocabSize());
            TextScorer.Scores scores = scoringPool.run(() -> scorer.score(model, ids));
            List<Position> positions = new ArrayList<>();
            for (int p = all ? 0 : ids.length - 1; p < ids.length; p++) {
                positions.add(position(tokenizer, ids, p, scores.logits()[p], topN, includeLogits));
            }
            double nll = scores.meanNll(ids);
            Window window = new Window(scores.windowSize(), scores.stride(), scores.windows(), scores.windows() > 1);
            return new LogitsResponse(model.version(), ids.length, Double.isNaN(nll) ? null : nll, Double.isNaN(nll) ? null : Math.exp(nll),
                    window, positions);
        }
    }

    /** Refuses (422), before scoring, a request whose answer would pass the scoring budget. */
    private void checkAnswerSize(int tokens, boolean all, int topN, boolean includeLogits, int vocabulary) {
        int positions = all ? tokens : 1;
        long perPosition = ScoringBudget.LOGITS_POSITION_BYTES + (long) topN * ScoringBudget.LOGITS_CANDIDATE_BYTES
                + (includeLogits ? (long) vocabulary * ScoringBudget.LOGIT_BYTES : 0);
        budget.check(positions * perPosition, positions + " position(s) x (" + topN + " alternatives" + (includeLogits ? " + " + vocabulary
                + " logits" : "") + ")", all ? "positions" : "include_logits",
                "ask for positions \"last\", a smaller top_n, no include_logits, or send the text in parts");
    }

    private static int[] encode(CharTokenizer tokenizer, String inputs) {
        return InvalidRequestException.whenRefused("inputs", "", () -> tokenizer.encode(inputs));
    }

    private static Position position(CharTokenizer tokenizer, int[] ids, int p, float[] logits, int topN, boolean includeLogits) {
        float[] logprobs = TokenSampler.logSoftmax(logits);
        List<Candidate> top = DecodingRules.topTokens(tokenizer, logits, topN).stream()
                .map((Generation.TokenLogprob t) -> new Candidate(t.id(), t.text(), logits[t.id()], t.logprob()))
                .toList();
        Actual next = p + 1 < ids.length ? new Actual(ids[p + 1], tokenizer.decode(ids[p + 1]), logprobs[ids[p + 1]]) : null;
        return new Position(p, new InputToken(ids[p], tokenizer.decode(ids[p])), top, next, includeLogits ? logits : null);
    }
}
