package dev.folio.api;

import dev.folio.store.ModelRegistry;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * {@value #NAME}: which model version answered. Written here only: by {@link #lease}, which every route that reads a
 * model takes its lease through (so the header names the version that lease holds, the one a generation runs on), and
 * up front by {@link RequestGuardFilter} with the version served now, for routes that take no lease.
 */
public final class ModelVersionHeader {

    public static final String NAME = "X-Folio-Model-Version";

    private ModelVersionHeader() {}

    /** A lease on the model's current version, named in this request's answer. */
    public static ModelRegistry.Lease lease(ModelRegistry registry) {
        ModelRegistry.Lease lease = registry.acquire();
        if (RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes request && request.getResponse() != null
                && !request.getResponse().isCommitted()) {
            set(request.getResponse(), lease.model().version());
        }
        return lease;
    }

    static void set(HttpServletResponse response, String version) {
        response.setHeader(NAME, version);
    }
}
