package dev.folio.api.tgi;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** TGI's CompatGenerateRequest for {@code POST /}. */
public record CompatGenerateRequest(
        @Schema(description = "The prompt", example = "ROMEO:") @JsonProperty("inputs") @NotNull String inputs,
        @JsonProperty("parameters") @Valid GenerateParameters parameters,
        @Schema(description = "Folio's extension: which served model (default: folio.store.model; with one served, any name)",
                example = "shakespeare-char")
        @JsonProperty("model") String model,
        @Schema(description = "Answer as Server-Sent Events, as /generate_stream") @JsonProperty("stream") Boolean stream,
        @Schema(hidden = true) @JsonAnySetter Map<String, JsonNode> unknownFields) {}
