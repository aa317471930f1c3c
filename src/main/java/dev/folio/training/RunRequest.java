package dev.folio.training;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.folio.chat.ChatTemplate;
import dev.folio.store.CorpusStore;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Duration;
import java.util.Map;
import java.util.TreeSet;
import org.springframework.boot.convert.DurationStyle;
import tools.jackson.databind.JsonNode;

/**
 * The settings of one training run, as {@code POST /admin/training/runs} takes them: every field optional, the rest from
 * {@code folio.training.*} (and {@code folio.store.model}). Checked field by field before anything touches the store;
 * what depends on the store (the corpus, the version a fine-tune starts from) is checked by {@link TrainingJob#start(RunRequest)}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunRequest(
        @Schema(description = "Which model in the store (default folio.store.model); a new name starts a new model", example = "sonnets-char")
        @JsonProperty("model") @Pattern(regexp = MODEL_NAME, message = MODEL_NAME_RULE) String model,
        @Schema(description = "fine_tune the model's current version, or train new weights from_scratch (default from "
                + "folio.training.from-scratch)", allowableValues = {FINE_TUNE, FROM_SCRATCH})
        @JsonProperty("mode") @Pattern(regexp = FINE_TUNE + "|" + FROM_SCRATCH, message = "must be fine_tune or from_scratch") String mode,
        @Schema(description = "The shape of a run from scratch (a fine-tune keeps its base's; only its dropout may be given); "
                + "unset fields: 4 layers, 4 heads, 256 wide, block 256, no dropout, no biases")
        @JsonProperty("architecture") @Valid Architecture architecture,
        @Schema(description = "A corpus NAME in the corpus directory (PUT /admin/corpora/{name}), never a path; default the "
                + "folio.training.corpus file", example = "sonnets.txt")
        @JsonProperty("corpus") @Pattern(regexp = CorpusStore.NAME_PATTERN, message = CORPUS_NAME_RULE) String corpus,
        @Schema(description = "Optimizer steps (also the length of the cosine decay)", example = "500")
        @JsonProperty("max_steps") @Min(1) @Max(1_000_000) Integer maxSteps,
        @Schema(description = "Wall-time budget: ISO-8601 (PT10M) or a number with a unit (90s, 10m, 2h); the run stops early, "
                + "evaluates and may publish", example = "10m")
        @JsonProperty("max_duration") @DurationText String maxDuration,
        @Schema(description = "Peak learning rate (warm-up, then cosine decay to a tenth of it)", example = "0.001")
        @JsonProperty("learning_rate") @DecimalMin(value = "0", inclusive = false) @DecimalMax("1") Float learningRate,
        @Schema(description = "Sequences per step", example = "16")
        @JsonProperty("batch_size") @Min(1) @Max(1024) Integer batchSize,
        @Schema(description = "Validation batches behind the gate's comparison", example = "50")
        @JsonProperty("eval_batches") @Min(1) @Max(10_000) Integer evalBatches,
        @Schema(description = "Publish only if the validation loss beats the served version's by more than this (negative: "
                + "publish even if slightly worse)", example = "0.001")
        @JsonProperty("improvement_margin") @DecimalMin("-100") @DecimalMax("100") Double improvementMargin,
        @Schema(description = "Seeds weights (from scratch), batches and dropout", example = "1337")
        @JsonProperty("seed") @Min(0) Long seed,
        @Schema(description = "A Jinja chat template published with the version (stop: a blank line); default the base "
                + "version's when fine-tuning, else the play-script template")
        @JsonProperty("chat_template") @Size(min = 1, max = 65_536) @ChatTemplateText String chatTemplate,
        @Schema(hidden = true) @JsonAnySetter @NoUnknownFields Map<String, JsonNode> unknownFields) {

    public static final String FINE_TUNE = "fine_tune";
    public static final String FROM_SCRATCH = "from_scratch";
    /** The store's model-name rule, as VersionId checks it. */
    static final String MODEL_NAME = "[a-z0-9][a-z0-9-]{0,63}";
    static final String MODEL_NAME_RULE = "must be a model name: lower-case letters, digits and '-', at most 64, starting with a letter or digit";
    static final String CORPUS_NAME_RULE = "must be a corpus name: letters, digits, '.', '_' and '-', at most 64, starting with a letter "
            + "or digit (a name in the corpus directory, never a path)";
    static final String FIELDS = "model, mode, architecture, corpus, max_steps, max_duration, learning_rate, batch_size, eval_batches, "
            + "improvement_margin, seed, chat_template";

    /** Nothing given: everything from configuration (what the schedule runs). */
    public static final RunRequest DEFAULTS = new RunRequest(null, null, null, null, null, null, null, null, null, null, null, null, null);

    /**
     * A model's shape; unset fields take {@link TrainingJob#DEFAULT_ARCHITECTURE}'s.
     *
     * @param nLayer transformer blocks
     * @param nHead attention heads; divides n_embd
     * @param nEmbd embedding width
     * @param blockSize context window
     * @param dropout in [0, 1)
     * @param bias biases in Linear and LayerNorm layers
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @HeadsDivideWidth
    public record Architecture(
            @Schema(example = "4") @JsonProperty("n_layer") @Min(1) @Max(32) Integer nLayer,
            @Schema(example = "4") @JsonProperty("n_head") @Min(1) @Max(32) Integer nHead,
            @Schema(example = "256") @JsonProperty("n_embd") @Min(1) @Max(1024) Integer nEmbd,
            @Schema(example = "256") @JsonProperty("block_size") @Min(2) @Max(1024) Integer blockSize,
            @Schema(example = "0.1") @JsonProperty("dropout") @DecimalMin("0") @DecimalMax(value = "1", inclusive = false) Float dropout,
            @JsonProperty("bias") Boolean bias,
            @Schema(hidden = true) @JsonAnySetter @NoUnknownFields Map<String, JsonNode> unknownFields) {

        static final String FIELDS = "n_layer, n_head, n_embd, block_size, dropout, bias";

        /** Only the shape (what a response shows). */
        public Architecture(int nLayer, int nHead, int nEmbd, int blockSize, float dropout, boolean bias) {
            this(nLayer, nHead, nEmbd, blockSize, dropout, bias, null);
        }

        int heads() {
            return nHead != null ? nHead : RunPlanner.DEFAULT_ARCHITECTURE.nHead();
        }

        int width() {
            return nEmbd != null ? nEmbd : RunPlanner.DEFAULT_ARCHITECTURE.nEmbd();
        }
    }

    /** The wall-time budget, parsed (null when not given). */
    public Duration duration() {
        return maxDuration == null ? null : DurationStyle.detectAndParse(maxDuration.trim());
    }

    /** A text that parses as a positive duration of at most a week. */
    @Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.METHOD})
    @Retention(RetentionPolicy.RUNTIME)
    @Constraint(validatedBy = DurationTextValidator.class)
    public @interface DurationText {
        String message() default "must be a duration of at most 7 days: ISO-8601 (PT10M) or a number with a unit (90s, 10m, 2h)";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};
    }

    public static final class DurationTextValidator implements ConstraintValidator<DurationText, String> {
        @Override
        public boolean isValid(String value, ConstraintValidatorContext context) {
            if (value == null) {
                return true;
            }
            if (value.trim().matches("[-+]?\\d+")) {
                return false; // a bare number would be milliseconds: a unit must be said
            }
            try {
                Duration d = DurationStyle.detectAndParse(value.trim());
                return d.compareTo(Duration.ZERO) > 0 && d.compareTo(Duration.ofDays(7)) <= 0;
            } catch (RuntimeException e) {
                return false;
            }
        }
    }

    /** A Jinja chat template that compiles; the violation carries the template's own error (what and on which line). */
    @Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.METHOD})
    @Retention(RetentionPolicy.RUNTIME)
    @Constraint(validatedBy = ChatTemplateTextValidator.class)
    public @interface ChatTemplateText {
        String message() default "must be a Jinja chat template that compiles";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};
    }

    public static final class ChatTemplateTextValidator implements ConstraintValidator<ChatTemplateText, String> {
        @Override
        public boolean isValid(String value, ConstraintValidatorContext context) {
            if (value == null || value.isEmpty()) {
                return true; // @Size speaks for the empty one
            }
            try {
                ChatTemplate.of(value);
                return true;
            } catch (IllegalArgumentException e) {
                context.disableDefaultConstraintViolation();
                context.buildConstraintViolationWithTemplate(literal(e.getMessage())).addConstraintViolation();
                return false;
            }
        }
    }

    /** No field outside the schema: a misspelt setting would otherwise train with the default, silently. */
    @Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.METHOD})
    @Retention(RetentionPolicy.RUNTIME)
    @Constraint(validatedBy = NoUnknownFieldsValidator.class)
    public @interface NoUnknownFields {
        String message() default "unknown field";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};
    }

    public static final class NoUnknownFieldsValidator implements ConstraintValidator<NoUnknownFields, Map<String, JsonNode>> {
        @Override
        public boolean isValid(Map<String, JsonNode> value, ConstraintValidatorContext context) {
            if (value == null || value.isEmpty()) {
                return true;
            }
            context.disableDefaultConstraintViolation();
            context.buildConstraintViolationWithTemplate(literal("unknown field(s) " + String.join(", ", new TreeSet<>(value.keySet()))
                    + "; a run takes " + FIELDS + " (architecture: " + Architecture.FIELDS + ")")).addConstraintViolation();
            return false;
        }
    }

    /** n_embd divisible by n_head (either may be unset: the default's). */
    @Target(ElementType.TYPE)
    @Retention(RetentionPolicy.RUNTIME)
    @Constraint(validatedBy = HeadsDivideWidthValidator.class)
    public @interface HeadsDivideWidth {
        String message() default "must be divisible by n_head";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};
    }

    public static final class HeadsDivideWidthValidator implements ConstraintValidator<HeadsDivideWidth, Architecture> {
        @Override
        public boolean isValid(Architecture value, ConstraintValidatorContext context) {
            if (value == null || value.heads() < 1 || value.width() < 1 || value.width() % value.heads() == 0) {
                return true;
            }
            context.disableDefaultConstraintViolation();
            context.buildConstraintViolationWithTemplate(literal("must be divisible by n_head (" + value.heads() + ")"))
                    .addPropertyNode("nEmbd").addConstraintViolation();
            return false;
        }
    }

    /** A message taken as it is: no {parameters} or ${expressions} interpolated from user text. */
    private static String literal(String message) {
        return message.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}").replace("$", "\\$");
    }
}
