package dev.folio.api.inspect;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.folio.inspect.Distribution;
import dev.folio.inspect.TensorEncoding;
import dev.folio.model.GptConfig;
import dev.folio.tokenizer.CharTokenizer;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.ArrayList;
import java.util.List;

/** The shapes the inspection routes share. */
public final class InspectWire {

    private InspectWire() {}

    /** A range of positions, end exclusive. */
    public record Positions(@Schema(example = "0") @JsonProperty("start") Integer start, @Schema(example = "15") @JsonProperty("end") Integer end) {}

    /** The architecture, in TransformerLens's names. */
    public record Config(@JsonProperty("n_layer") int nLayer, @JsonProperty("n_head") int nHead, @JsonProperty("d_model") int dModel,
            @JsonProperty("d_head") int dHead, @JsonProperty("d_mlp") int dMlp, @JsonProperty("d_vocab") int dVocab, @JsonProperty("n_ctx") int nCtx) {

        static Config of(GptConfig config) {
            return new Config(config.nLayer(), config.nHead(), config.nEmbd(), config.headDim(), 4 * config.nEmbd(), config.vocabSize(),
                    config.blockSize());
        }
    }

    /** A token of the text. */
    public record Token(@JsonProperty("position") int position, @JsonProperty("id") int id, @JsonProperty("text") String text) {

        static List<Token> of(CharTokenizer tokenizer, int[] ids) {
            List<Token> tokens = new ArrayList<>(ids.length);
            for (int p = 0; p < ids.length; p++) {
                tokens.add(new Token(p, ids[p], tokenizer.decode(ids[p])));
            }
            return tokens;
        }
    }

    /** A candidate next token. */
    public record Candidate(@JsonProperty("id") int id, @JsonProperty("text") String text, @JsonProperty("prob") double prob,
            @JsonProperty("logit") float logit) {

        static List<Candidate> top(CharTokenizer tokenizer, Distribution distribution, int k) {
            return distribution.top(k).stream().map(c -> new Candidate(c.id(), tokenizer.decode(c.id()), c.prob(), c.logit())).toList();
        }
    }

    /** A next-token distribution at one position. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record NextToken(@JsonProperty("position") int position, @JsonProperty("entropy") double entropy,
            @JsonProperty("top") List<Candidate> top, @JsonProperty("probs") float[] probs) {

        static NextToken of(CharTokenizer tokenizer, int position, Distribution distribution, int k, boolean withProbs) {
            return new NextToken(position, distribution.entropy(), Candidate.top(tokenizer, distribution, k), withProbs ? distribution.probs() : null);
        }
    }

    /** One activation, encoded (docs/inspect.md#encodings). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Tensor(@JsonProperty("axes") List<String> axes, @JsonProperty("shape") int[] shape, @JsonProperty("dtype") String dtype,
            @JsonProperty("encoding") String encoding, @JsonProperty("layout") String layout, @JsonProperty("max_error") double maxError,
            @JsonProperty("scale") Float scale, @JsonProperty("data") Object data) {

        static Tensor of(TensorEncoding.Encoded encoded) {
            return new Tensor(encoded.axes(), encoded.shape(), encoded.dtype(), encoded.encoding(), encoded.layout(), encoded.maxError(),
                    encoded.scale(), encoded.data());
        }
    }

    /** What was selected from the captured activations. */
    public record Selected(@JsonProperty("layers") List<Integer> layers, @JsonProperty("heads") int[] heads,
            @JsonProperty("positions") Positions positions) {}
}
