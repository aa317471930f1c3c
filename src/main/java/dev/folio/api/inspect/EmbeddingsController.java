package dev.folio.api.inspect;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.folio.api.InvalidRequestException;
import dev.folio.inspect.EmbeddingMap;
import dev.folio.inspect.Inspector;
import dev.folio.inspect.TensorEncoding;
import dev.folio.tokenizer.CharTokenizer;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletResponse;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /inspect/embeddings}: the token embeddings' map and neighbours, and the position embeddings' similarities. */
@RestController
@Tag(name = "Inspect")
public class EmbeddingsController {

    private final InspectedModels models;
    private final InspectionPool pool;
    private final InspectProperties limits;

    public EmbeddingsController(InspectedModels models, InspectionPool pool, InspectProperties limits) {
        this.models = models;
        this.pool = pool;
        this.limits = limits;
    }

    public record Neighbour(@JsonProperty("id") int id, @JsonProperty("text") String text, @JsonProperty("cosine") float cosine) {}

    public record TokenPoint(@JsonProperty("id") int id, @JsonProperty("text") String text, @JsonProperty("x") float x, @JsonProperty("y") float y,
            @JsonProperty("norm") float norm, @JsonProperty("neighbours") List<Neighbour> neighbours) {}

    public record EmbeddingsResponse(@JsonProperty("model") String model, @JsonProperty("version") String version,
            @JsonProperty("model_version") String modelVersion, @JsonProperty("config") InspectWire.Config config,
            @JsonProperty("tokens") List<TokenPoint> tokens, @JsonProperty("explained_variance_ratio") double[] explainedVarianceRatio,
            @JsonProperty("positional_cosine") InspectWire.Tensor positionalCosine) {}

    @Operation(summary = "The embeddings: a 2-D PCA map of the tokens, their nearest neighbours, the positions' cosine similarities",
            description = "x and y are each token embedding's (centred) scores on the first two principal components, computed in Java; "
                    + "neighbours are the nearest tokens by cosine similarity; positional_cosine compares the first `positions` learned "
                    + "position embeddings, in any of /inspect's encodings but npy.")
    @GetMapping(path = "/inspect/embeddings", produces = MediaType.APPLICATION_JSON_VALUE)
    public EmbeddingsResponse embeddings(@Parameter(example = "shakespeare-char") @RequestParam(required = false) String model,
            @Parameter(example = "v20261128-191341") @RequestParam(required = false) String version,
            @Parameter(example = "5") @RequestParam(defaultValue = "5") int neighbours,
            @Parameter(description = "how many of the first position embeddings to compare (default: all)") @RequestParam(required = false) Integer positions,
            @Parameter(example = "json") @RequestParam(defaultValue = "json") String encoding, HttpServletResponse response) {
        try (InspectedModels.Subject subject = models.open(model, version, response)) {
            Inspector inspector = subject.inspector();
            CharTokenizer tokenizer = subject.model().tokenizer();
            int vocab = inspector.config().vocabSize();
            if (neighbours < 0 || neighbours >= vocab) {
                throw new InvalidRequestException("neighbours: 0 to " + (vocab - 1) + "; given " + neighbours, "neighbours");
            }
            int places = positions == null ? inspector.config().blockSize() : positions;
            if (places < 1 || places > inspector.config().blockSize()) {
                throw new InvalidRequestException("positions: 1 to " + inspector.config().blockSize() + "; given " + places, "positions");
            }
            TensorEncoding.Encoding chosen = TensorRequests.choose("encoding", encoding, TensorEncoding.Encoding.JSON, TensorEncoding.Encoding.values());
            if (chosen == TensorEncoding.Encoding.JSON && (long) places * places > limits.maxJsonValues()) {
                throw new InvalidRequestException("encoding: " + places * places + " values are too many for JSON numbers (at most " + limits.maxJsonValues()
                        + ", folio.inspect.max-json-values); ask for float16 or int8, or fewer positions", "encoding");
            }
            EmbeddingMap map = pool.run(() -> EmbeddingMap.of(inspector, neighbours, places));
            List<TokenPoint> points = new ArrayList<>(vocab);
            for (int id = 0; id < vocab; id++) {
                List<Neighbour> near = new ArrayList<>();
                for (int n = 0; n < map.neighbours()[id].length; n++) {
                    near.add(new Neighbour(map.neighbours()[id][n], tokenizer.decode(map.neighbours()[id][n]), map.cosines()[id][n]));
                }
                points.add(new TokenPoint(id, tokenizer.decode(id), map.coordinates()[id][0], map.coordinates()[id][1], map.norms()[id], near));
            }
            return new EmbeddingsResponse(subject.name(), subject.version(), subject.modelVersion(), InspectWire.Config.of(inspector.config()), points,
                    map.explainedVarianceRatio(), InspectWire.Tensor.of(TensorEncoding.encode(map.positionalCosine(), chosen, TensorEncoding.Layout.DENSE)));
        }
    }
}
