package dev.folio.api.inspect;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.folio.api.ModelRouter;
import dev.folio.store.ModelRegistry;
import dev.folio.store.ModelStore;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /inspect/versions}: the versions of a model the inspection routes can read ({@code version}), for
 * asking one question of several points of its training. Read-only; the admin routes keep promoting and deleting.
 */
@RestController
@Tag(name = "Inspect")
public class VersionsController {

    private final ModelRouter router;
    private final ModelStore store;

    public VersionsController(ModelRouter router, ModelStore store) {
        this.router = router;
        this.store = store;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Version(@JsonProperty("version") String version, @JsonProperty("created_at") String createdAt,
            @JsonProperty("steps") Integer steps, @JsonProperty("val_loss") Double valLoss, @JsonProperty("served") boolean served) {}

    public record VersionsResponse(@JsonProperty("model") String model, @JsonProperty("versions") List<Version> versions) {}

    @Operation(summary = "The versions an inspection can read, newest first",
            description = "Each valid version in the store with when it was published, its training steps and validation loss; `served` marks "
                    + "the one served now. Pass one as `version` to any inspection route to ask the same question across versions.")
    @GetMapping(path = "/inspect/versions", produces = MediaType.APPLICATION_JSON_VALUE)
    public VersionsResponse versions(@Parameter(example = "shakespeare-char") @RequestParam(required = false) String model) {
        ModelRegistry registry = router.resolve(model, "model");
        String served = registry.currentMetadata().map(m -> m.version()).orElse(null);
        try {
            List<Version> versions = store.describe(registry.modelName()).stream().filter(ModelStore.VersionInfo::valid)
                    .map(info -> new Version(info.version(), String.valueOf(info.metadata().createdAt()),
                            info.metadata().training() == null ? null : info.metadata().training().steps(),
                            info.metadata().training() == null ? null : Double.valueOf(info.metadata().training().valLoss()),
                            info.version().equals(served)))
                    .toList();
            return new VersionsResponse(registry.modelName(), versions);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
