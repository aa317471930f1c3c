package dev.folio.api.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.folio.FolioProperties;
import dev.folio.api.ConflictException;
import dev.folio.api.InvalidRequestException;
import dev.folio.api.ModelRouter;
import dev.folio.api.chat.ChatPrompts;
import dev.folio.chat.ChatTemplate;
import dev.folio.store.ModelMetadata;
import dev.folio.store.ModelRegistry;
import dev.folio.store.ModelStore;
import dev.folio.store.VersionId;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Size;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The model store through HTTP: {@code GET /models} for everyone; promote, rollback and delete for admins. */
@RestController
@Tag(name = "Models", description = "The model store's versions; admin routes need Authorization: Bearer <folio.admin.key>")
public class ModelsController {

    private final ModelStore store;
    private final ModelRouter router;
    private final ChatPrompts prompts;
    private final FolioProperties.Store retention;

    public ModelsController(ModelStore store, ModelRouter router, ChatPrompts prompts, FolioProperties properties) {
        this.store = store;
        this.router = router;
        this.prompts = prompts;
        this.retention = properties.store();
    }

    /** One version as listed. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record VersionView(@JsonProperty("version") String version, @JsonProperty("created_at") Instant createdAt,
            @JsonProperty("val_loss") Float valLoss, @JsonProperty("train_loss") Float trainLoss,
            @JsonProperty("parameter_count") Long parameterCount, @JsonProperty("size_bytes") long sizeBytes,
            @JsonProperty("status") String status, @JsonProperty("problem") String problem,
            @JsonProperty("current") boolean current, @JsonProperty("served") boolean served, @JsonProperty("previous") boolean previous) {}

    public record ModelsView(@JsonProperty("model") String model, @JsonProperty("current") String current,
            @JsonProperty("served") String served, @JsonProperty("versions") List<VersionView> versions,
            @JsonProperty("models") List<String> models) {}

    @Operation(summary = "A model's versions: created time, losses, parameter count, size, status, which is current and which is served",
            description = "The default model's, or ?model=NAME's; models lists every served model")
    @GetMapping("/models")
    public ModelsView models(@RequestParam(name = "model", required = false) String model) throws IOException {
        ModelRegistry registry = router.resolve(model, "model");
        String name = registry.modelName();
        Optional<String> current = store.currentVersion(name);
        Optional<String> previous = store.previousVersion(name);
        String served = registry.currentMetadata().map(ModelMetadata::version).orElse(null);
        List<VersionView> versions = store.describe(name).stream().map(v -> {
            ModelMetadata m = v.metadata();
            String status = !v.valid() ? "invalid" : registry.refusedVersions().contains(v.version()) ? "refused" : "valid";
            return new VersionView(v.version(), m == null ? null : m.createdAt(),
                    m == null || m.training() == null ? null : m.training().valLoss(),
                    m == null || m.training() == null ? null : m.training().trainLoss(),
                    m == null ? null : m.parameterCount(), v.sizeBytes(), status, v.problem(),
                    current.filter(v.version()::equals).isPresent(), v.version().equals(served), previous.filter(v.version()::equals).isPresent());
        }).toList();
        return new ModelsView(name, current.orElse(null), served, versions, router.served());
    }

    @Operation(summary = "Serve this version (admin)", security = @SecurityRequirement(name = "bearer"))
    @PostMapping("/admin/models/{version}/promote")
    public ResponseEntity<Map<String, String>> promote(@PathVariable String version,
            @RequestParam(name = "model", required = false) String model) throws IOException {
        ModelRegistry registry = router.resolveExactly(model, "model");
        String name = registry.modelName();
        store.metadata(name, requireVersion(version)); // verified before it is pointed at
        store.setCurrent(name, version);
        return ResponseEntity.ok(Map.of("current", version, "served", reload(registry)));
    }

    /**
     * @param template a Jinja chat template (variables: messages, add_generation_prompt, speakers; raise_exception)
     * @param stop where a reply ends; default the end of a speech (a blank line)
     */
    public record ChatTemplateRequest(
            @Schema(description = "Jinja, as Hugging Face's chat_template", example = "{% for m in messages %}{{ m.content }}\n{% endfor %}")
            @JsonProperty("template") @NotBlank String template,
            @Schema(description = "Stop sequences that end a reply", example = "[\"\\n\\n\"]")
            @JsonProperty("stop") @Size(max = 4) List<@NotEmpty String> stop) {}

    @Operation(summary = "Give a version a new chat template (admin)", security = @SecurityRequirement(name = "bearer"),
            description = "Versions never change once written: this publishes a new version with the same weights (a hard link to the "
                    + "same file where the filesystem allows) and the new template, makes it current (hot reload serves it at once) and keeps the "
                    + "old one for rollback; retention (folio.store.keep-versions) applies as after a training run. The template must compile.")
    @PutMapping(path = "/admin/models/{version}/chat-template", consumes = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<Map<String, String>> setChatTemplate(@PathVariable String version, @Valid @RequestBody ChatTemplateRequest request,
            @RequestParam(name = "model", required = false) String model) throws IOException {
        ModelRegistry registry = router.resolveExactly(model, "model");
        // held to the bounds every request's render is held to, on a sample conversation: a template that cannot
        // stay within them is refused now, not on every request
        InvalidRequestException.whenRefused("template", "template: ", () -> {
            prompts.check(ChatTemplate.of(request.template()));
            return null;
        });
        List<String> stop = request.stop() == null ? ChatPrompts.END_OF_SPEECH : request.stop();
        ModelMetadata published = store.publishWithChat(registry.modelName(), requireVersion(version), new ModelMetadata.Chat(request.template(), stop));
        if (retention.keepVersions() > 0) { // as a training run's publish does: a side door must not fill the disk either
            store.retain(registry.modelName(), retention.keepVersions(), retention.pinned());
        }
        return ResponseEntity.status(HttpStatus.CREATED)
                .body(Map.of("model", registry.modelName(), "version", published.version(), "from", version, "current", published.version(),
                        "served", reload(registry)));
    }

    @Operation(summary = "Serve the previous current version again (admin)", security = @SecurityRequirement(name = "bearer"))
    @PostMapping("/admin/models/rollback")
    public ResponseEntity<Map<String, String>> rollback(@RequestParam(name = "model", required = false) String model) throws IOException {
        ModelRegistry registry = router.resolveExactly(model, "model");
        String version = store.rollback(registry.modelName());
        return ResponseEntity.ok(Map.of("model", registry.modelName(), "current", version, "served", reload(registry)));
    }

    @Operation(summary = "Delete a version that is not current (admin)", security = @SecurityRequirement(name = "bearer"))
    @DeleteMapping("/admin/models/{version}")
    public ResponseEntity<Void> delete(@PathVariable String version, @RequestParam(name = "model", required = false) String model)
            throws IOException {
        ModelRegistry registry = router.resolveExactly(model, "model");
        try {
            store.delete(registry.modelName(), requireVersion(version));
        } catch (IllegalStateException e) {
            throw new ConflictException(e.getMessage());
        }
        return ResponseEntity.status(HttpStatus.NO_CONTENT).build();
    }

    /** Reloads at once rather than at the next watch tick; returns the version served afterwards. */
    private static String reload(ModelRegistry registry) throws IOException {
        registry.reloadIfChanged();
        return registry.currentMetadata().map(ModelMetadata::version).orElse("");
    }

    private static String requireVersion(String version) {
        if (!VersionId.isValid(version)) {
            throw new InvalidRequestException("invalid version id '" + version + "': expected v + UTC timestamp, like v20261128-174500", "version");
        }
        return version;
    }
}
