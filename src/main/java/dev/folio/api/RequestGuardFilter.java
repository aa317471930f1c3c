package dev.folio.api;

import dev.folio.FolioProperties;
import dev.folio.api.security.Routes;
import dev.folio.store.ModelRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Before a request reaches a controller, and after Spring Security has let it through
 * ({@link dev.folio.api.security.SecurityConfiguration}: keys are checked there): bodies over
 * {@code folio.generation.max-request-bytes} get 413 (by Content-Length up front, or while a chunked body is read),
 * except corpus uploads ({@code PUT /admin/corpora/{name}}), which the route bounds by
 * {@code folio.training.max-corpus-bytes} itself. Every response but the admin routes' carries
 * {@code X-Folio-Model-Version}.
 */
@Component
public class RequestGuardFilter extends OncePerRequestFilter {

    private final FolioProperties properties;
    private final ModelRegistry registry;
    private final ProblemWriter problems;

    public RequestGuardFilter(FolioProperties properties, ModelRegistry registry, RouteProtocols protocols) {
        this.properties = properties;
        this.problems = new ProblemWriter(protocols);
        this.registry = registry;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long limit = properties.generation().maxRequestBytes();
        if (!Routes.CORPUS_UPLOAD.matches(request)) {
            if (request.getContentLengthLong() > limit) {
                problems.write(request, response, ApiError.of(HttpStatus.CONTENT_TOO_LARGE, "Payload too large",
                        "request body of " + request.getContentLengthLong() + " bytes exceeds the limit of " + limit + " bytes", ErrorKind.INVALID));
                return;
            }
            if (request.getContentLengthLong() < 0) { // chunked: no length to refuse up front, so count while reading
                request = new BodyLimitedRequest(request, limit);
            }
        }
        if (!Routes.ADMIN.matches(request)) {
            registry.currentMetadata().ifPresent(m -> ModelVersionHeader.set(response, m.version())); // a route's lease names its own
        }
        chain.doFilter(request, response);
    }
}
