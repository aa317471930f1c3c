package dev.folio.api.tgi;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.folio.api.InvalidRequestException;
import dev.folio.api.ModelRouter;
import dev.folio.api.ModelVersionHeader;
import dev.folio.api.Protocol;
import dev.folio.api.WireProtocol;
import dev.folio.store.ModelRegistry;
import dev.folio.tokenizer.CharTokenizer;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** TGI's {@code POST /tokenize} and Folio's {@code POST /detokenize}. */
@Protocol(WireProtocol.TGI)
@RestController
@Tag(name = "Text Generation Inference")
public class TokenizeController {

    private final ModelRouter router;

    public TokenizeController(ModelRouter router) {
        this.router = router;
    }

    /**
     * @param inputs text to tokenize
     * @param model Folio's extension: which served model's vocabulary (default: the default model)
     */
    public record TokenizeRequest(@Schema(example = "ROMEO:") @JsonProperty("inputs") @NotNull String inputs,
            @Schema(description = "Folio's extension: which served model", example = "shakespeare-char") @JsonProperty("model") String model) {}

    /**
     * @param ids token ids
     * @param model Folio's extension: which served model's vocabulary
     */
    public record DetokenizeRequest(@Schema(example = "[30, 27, 25, 17, 27, 10]") @JsonProperty("ids") @NotNull @Size(max = 65536) List<@NotNull Integer> ids,
            @Schema(description = "Folio's extension: which served model", example = "shakespeare-char") @JsonProperty("model") String model) {}

    /** @param text the decoded text */
    public record DetokenizeResponse(@JsonProperty("text") String text) {}

    @Operation(summary = "Tokenize inputs", description = "One token per character, with offsets (start, stop) into the input")
    @PostMapping(path = "/tokenize", consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    public List<Tgi.SimpleToken> tokenize(@Valid @RequestBody TokenizeRequest request) {
        try (ModelRegistry.Lease lease = ModelVersionHeader.lease(router.resolve(request.model(), "model"))) {
            return InvalidRequestException.whenRefused("inputs", "", () -> lease.model().tokenizer().tokenize(request.inputs())).stream()
                    .map(t -> new Tgi.SimpleToken(t.id(), t.text(), t.start(), t.stop()))
                    .toList();
        }
    }

    @Operation(summary = "Decode token ids to text (Folio's)")
    @PostMapping(path = "/detokenize", consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    public DetokenizeResponse detokenize(@Valid @RequestBody DetokenizeRequest request) {
        try (ModelRegistry.Lease lease = ModelVersionHeader.lease(router.resolve(request.model(), "model"))) {
            CharTokenizer tokenizer = lease.model().tokenizer();
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < request.ids().size(); i++) {
                int id = request.ids().get(i);
                if (id < 0 || id >= tokenizer.vocabSize()) {
                    throw new InvalidRequestException("ids[" + i + "] = " + id + " is outside the vocabulary [0, " + tokenizer.vocabSize() + ")", "ids");
                }
                text.append(tokenizer.decode(id));
            }
            return new DetokenizeResponse(text.toString());
        }
    }
}
