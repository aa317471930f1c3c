package dev.folio.api.inspect;

import dev.folio.api.IgnoredFields;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.folio.api.InvalidRequestException;
import dev.folio.inspect.HookNames;
import dev.folio.inspect.Intervention;
import dev.folio.inspect.Intervention.Mode;
import dev.folio.inspect.Inspector;
import dev.folio.model.GptConfig;
import dev.folio.tokenizer.CharTokenizer;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import java.util.Locale;

/**
 * One intervention as a request names it (docs/inspect.md#post-inspectintervene-interventions): a {@code kind} and the
 * fields that kind reads. {@link #resolve} checks it against the model and makes the {@link Intervention}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record InterventionSpec(
        @Schema(allowableValues = {"ablate_head", "scale_head", "ablate_neuron", "ablate_direction", "patch", "no_scaling", "no_causal_mask",
                "no_positional_embeddings", "skip_layernorm"}, example = "ablate_head") @JsonProperty("kind") String kind,
        @Schema(example = "0") @JsonProperty("layer") Integer layer,
        @Schema(example = "1") @JsonProperty("head") Integer head,
        @JsonProperty("neuron") Integer neuron,
        @Schema(allowableValues = {"zero", "mean"}) @JsonProperty("mode") String mode,
        @JsonProperty("factor") Float factor,
        @Schema(description = "ablate_direction: a (pos, d_model) hook; patch: any hook name") @JsonProperty("hook") String hook,
        @Schema(description = "ablate_direction: d_model numbers") @JsonProperty("direction") List<Float> direction,
        @Schema(description = "ablate_direction: a character whose embedding row is the direction") @JsonProperty("token") String token,
        @Schema(description = "patch: the second text, as long as inputs") @JsonProperty("source") String source,
        @Schema(description = "patch: only these heads") @JsonProperty("heads") List<Integer> heads,
        @Schema(description = "patch: only these positions") @JsonProperty("positions") List<Integer> positions,
        @Schema(example = "blocks.1.ln1", description = "skip_layernorm: blocks.L.ln1, blocks.L.ln2 or ln_final") @JsonProperty("layernorm") String layernorm,
        @Schema(hidden = true) @JsonAnySetter Map<String, JsonNode> unknownFields) {

    /** @param at this intervention's index in the request, for errors */
    Intervention resolve(int at, Inspector inspector, CharTokenizer tokenizer, int[] tokens) {
        IgnoredFields.refuseAll(new IgnoredFields.Unknown("interventions[" + at + "].", unknownFields, InterventionSpec.class));
        String field = "interventions[" + at + "]";
        GptConfig config = inspector.config();
        if (kind == null) {
            throw new InvalidRequestException(field + ".kind is required", field + ".kind");
        }
        return switch (kind) {
            case "ablate_head" -> new Intervention.AblateHead(index(field, "layer", layer, config.nLayer()), index(field, "head", head, config.nHead()),
                    mode(field));
            case "scale_head" -> new Intervention.ScaleHead(index(field, "layer", layer, config.nLayer()), index(field, "head", head, config.nHead()),
                    factor(field));
            case "ablate_neuron" -> new Intervention.AblateNeuron(index(field, "layer", layer, config.nLayer()),
                    index(field, "neuron", neuron, 4 * config.nEmbd()), mode(field));
            case "ablate_direction" -> new Intervention.AblateDirection(streamHook(field, inspector), direction(field, inspector, tokenizer), mode(field));
            case "patch" -> patch(field, inspector, tokenizer, tokens);
            case "no_scaling" -> new Intervention.NoScaling(optionalLayer(field, config));
            case "no_causal_mask" -> new Intervention.NoCausalMask(optionalLayer(field, config));
            case "no_positional_embeddings" -> new Intervention.NoPositionalEmbeddings();
            case "skip_layernorm" -> new Intervention.SkipLayerNorm(layerNorm(field, config));
            default -> throw new InvalidRequestException(field + ".kind: unknown '" + kind + "'; one of ablate_head, scale_head, ablate_neuron, "
                    + "ablate_direction, patch, no_scaling, no_causal_mask, no_positional_embeddings, skip_layernorm", field + ".kind");
        };
    }

    private static int index(String field, String name, Integer value, int bound) {
        if (value == null || value < 0 || value >= bound) {
            throw new InvalidRequestException(field + "." + name + ": must be 0 to " + (bound - 1) + "; given " + value, field + "." + name);
        }
        return value;
    }

    private Integer optionalLayer(String field, GptConfig config) {
        return layer == null ? null : index(field, "layer", layer, config.nLayer());
    }

    private Mode mode(String field) {
        if (mode == null || mode.equals("zero")) {
            return Mode.ZERO;
        }
        if (mode.equals("mean")) {
            return Mode.MEAN;
        }
        throw new InvalidRequestException(field + ".mode: \"zero\" or \"mean\"; given '" + mode + "'", field + ".mode");
    }

    private float factor(String field) {
        if (factor == null || !Float.isFinite(factor)) {
            throw new InvalidRequestException(field + ".factor: a finite number is required", field + ".factor");
        }
        return factor;
    }

    private String streamHook(String field, Inspector inspector) {
        if (hook == null || !inspector.names().contains(hook) || !inspector.names().axes(hook).equals(List.of(HookNames.POS, "d_model"))) {
            throw new InvalidRequestException(field + ".hook: a (pos, d_model) hook such as blocks.1.hook_resid_mid or blocks.0.hook_attn_out; given "
                    + hook, field + ".hook");
        }
        return hook;
    }

    private float[] direction(String field, Inspector inspector, CharTokenizer tokenizer) {
        int width = inspector.config().nEmbd();
        if ((direction == null) == (token == null)) {
            throw new InvalidRequestException(field + ": give either direction (" + width + " numbers) or token (one character)", field + ".direction");
        }
        if (token != null) {
            int[] ids = InvalidRequestException.whenRefused(field + ".token", field + ".token: ", () -> tokenizer.encode(token));
            if (ids.length != 1) {
                throw new InvalidRequestException(field + ".token: one character; given '" + token + "'", field + ".token");
            }
            return inspector.embeddingRow(ids[0]);
        }
        float[] values = new float[direction.size()];
        double norm = 0;
        for (int i = 0; i < values.length; i++) {
            Float value = direction.get(i);
            values[i] = value == null ? Float.NaN : value;
            norm += values[i] * values[i];
        }
        if (values.length != width || !(norm > 0) || !Double.isFinite(norm)) {
            throw new InvalidRequestException(field + ".direction: " + width + " finite numbers, not all 0; given " + values.length, field + ".direction");
        }
        return values;
    }

    private Intervention patch(String field, Inspector inspector, CharTokenizer tokenizer, int[] tokens) {
        if (hook == null || !inspector.names().contains(hook)) {
            throw new InvalidRequestException(field + ".hook: a hook name such as blocks.2.attn.hook_z (docs/inspect.md lists them); given " + hook,
                    field + ".hook");
        }
        if (source == null || source.length() != tokens.length) {
            throw new InvalidRequestException(field + ".source: a second text as long as inputs (" + tokens.length + " characters); given "
                    + (source == null ? "none" : source.length()), field + ".source");
        }
        int[] sourceTokens = InvalidRequestException.whenRefused(field + ".source", field + ".source: ", () -> tokenizer.encode(source));
        List<Integer> chosenHeads = heads == null ? null : TensorRequests.indices(field + ".heads", heads, inspector.config().nHead());
        List<Integer> chosenPositions = positions == null ? null : TensorRequests.indices(field + ".positions", positions, tokens.length);
        return new Intervention.Patch(hook, sourceTokens, chosenHeads, chosenPositions);
    }

    private String layerNorm(String field, GptConfig config) {
        if (layernorm != null && (layernorm.equals("ln_final") || layernorm.matches("blocks\\.\\d{1,3}\\.ln[12]"))) {
            if (layernorm.equals("ln_final") || Integer.parseInt(layernorm.split("\\.")[1]) < config.nLayer()) {
                return layernorm;
            }
        }
        throw new InvalidRequestException(String.format(Locale.ROOT, "%s.layernorm: blocks.L.ln1, blocks.L.ln2 (L from 0 to %d) or ln_final; given %s",
                field, config.nLayer() - 1, layernorm), field + ".layernorm");
    }
}
