package dev.folio.api.inspect;

import dev.folio.api.InvalidRequestException;
import dev.folio.api.ModelRouter;
import dev.folio.api.ModelVersionHeader;
import dev.folio.inspect.Inspector;
import dev.folio.inspect.StoredVersions;
import dev.folio.store.LoadedModel;
import dev.folio.store.ModelRegistry;
import dev.folio.store.ModelStore;
import dev.folio.store.VersionId;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.springframework.stereotype.Component;

/**
 * The model version an inspection reads: the one served now (a lease, as every route takes), or another version in
 * the store, named by {@code version} ("across versions"), loaded for inspection only and never served.
 */
@Component
public class InspectedModels implements AutoCloseable {

    private final ModelRouter router;
    private final StoredVersions versions;

    public InspectedModels(ModelRouter router, ModelStore store, InspectProperties limits) {
        this.router = router;
        this.versions = new StoredVersions(store, limits.cachedVersions());
    }

    /** A held version and its inspector; closing lets the version go. */
    public record Subject(LoadedModel model, Inspector inspector, AutoCloseable hold) implements AutoCloseable {

        public String name() {
            return model.metadata().modelName();
        }

        public String version() {
            return model.version();
        }

        /** {@code name:version}, as the answers name what they read. */
        public String modelVersion() {
            return name() + ":" + version();
        }

        /** A text's tokens, one per character: 1 to min(n_ctx, max-positions) of them, all in the vocabulary; else 422. */
        public int[] tokens(String text, String field, int maxPositions) {
            int most = Math.min(maxPositions, model.gpt().config().blockSize());
            if (text == null || text.isEmpty() || text.length() > most) {
                throw new InvalidRequestException(field + ": an inspected text has 1 to " + most + " characters (the context window, "
                        + "folio.inspect.max-positions); given " + (text == null ? "none" : text.length()), field);
            }
            return InvalidRequestException.whenRefused(field, field + ": ", () -> model.tokenizer().encode(text));
        }

        @Override
        public void close() {
            try {
                hold.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * @param model the request's {@code model} (null: the default)
     * @param version the request's {@code version} (null: the one served now)
     */
    public Subject open(String model, String version, HttpServletResponse response) {
        ModelRegistry registry = router.resolve(model, "model");
        ModelRegistry.Lease lease = ModelVersionHeader.lease(registry);
        if (version == null || version.isBlank() || version.equals(lease.model().version())) {
            return new Subject(lease.model(), new Inspector(lease.model().gpt(), lease.model().model().getNDManager()), lease);
        }
        lease.close();
        if (!VersionId.isValid(version)) {
            throw new InvalidRequestException("version: '" + version.replaceAll("\\p{Cntrl}", "?")
                    + "' is not a version id (v + a UTC timestamp, as v20261128-191341: see GET /admin/models)", "version");
        }
        try {
            StoredVersions.Held held = versions.hold(registry.modelName(), version);
            response.setHeader(ModelVersionHeader.NAME, version);
            return new Subject(held.model(), new Inspector(held.model().gpt(), held.model().model().getNDManager()), held);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        versions.close();
    }
}
