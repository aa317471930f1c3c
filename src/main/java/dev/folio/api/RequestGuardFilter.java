package dev.folio.api;

import dev.folio.FolioProperties;
import dev.folio.store.ModelRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Before a request reaches a controller: bodies over {@code folio.generation.max-request-bytes} get
 * 413 (by Content-Length up front, or while a chunked body is read), except corpus uploads
 * ({@code PUT /admin/corpora/{name}}), which the route bounds by {@code folio.training.max-corpus-bytes}
 * itself, after this filter has checked the admin key; {@code /admin/*} needs
 * {@code Authorization: Bearer <folio.admin.key>} (403 when no admin key is configured: closed, never
 * open; 401 for a missing or wrong one); when {@code folio.api.key} is set,
 * inference routes (every other POST and {@code /v1/*}) need it (401 otherwise). Health, info, docs and
 * metrics stay open. Every response carries {@code X-Folio-Model-Version}.
 */
@Component
public class RequestGuardFilter extends OncePerRequestFilter {

    /** Which model version answered; generation routes overwrite it with the version their lease held. */
    public static final String MODEL_VERSION_HEADER = "X-Folio-Model-Version";

    private final FolioProperties properties;
    private final ModelRegistry registry;
    private final JsonMapper json = JsonMapper.builder().build();

    public RequestGuardFilter(FolioProperties properties, ModelRegistry registry) {
        this.properties = properties;
        this.registry = registry;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long limit = properties.generation().maxRequestBytes();
        if (!corpusUpload(request)) {
            if (request.getContentLengthLong() > limit) {
                reject(request, response, HttpStatus.CONTENT_TOO_LARGE, "Payload too large",
                        "request body of " + request.getContentLengthLong() + " bytes exceeds the limit of " + limit + " bytes");
                return;
            }
            if (request.getContentLengthLong() < 0) { // chunked: no length to refuse up front, so count while reading
                request = new BodyLimitedRequest(request, limit);
            }
        }
        if (request.getRequestURI().startsWith("/admin/")) {
            String adminKey = properties.admin().key();
            if (adminKey == null || adminKey.isEmpty()) {
                reject(request, response, HttpStatus.FORBIDDEN, "Forbidden", "admin routes are closed: no folio.admin.key is configured");
                return;
            }
            if (!authorized(request.getHeader(HttpHeaders.AUTHORIZATION), adminKey)) {
                response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
                reject(request, response, HttpStatus.UNAUTHORIZED, "Unauthorized", "admin routes need Authorization: Bearer <admin key>");
                return;
            }
            chain.doFilter(request, response);
            return;
        }
        String key = properties.api().key();
        boolean protectedRoute = "POST".equals(request.getMethod()) || request.getRequestURI().startsWith("/v1/");
        if (key != null && !key.isEmpty() && protectedRoute && !authorized(request.getHeader(HttpHeaders.AUTHORIZATION), key)) {
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
            reject(request, response, HttpStatus.UNAUTHORIZED, "Unauthorized", "this route needs Authorization: Bearer <api key>");
            return;
        }
        registry.currentMetadata().ifPresent(m -> response.setHeader(MODEL_VERSION_HEADER, m.version()));
        chain.doFilter(request, response);
    }

    /** A corpus upload: its body is a text far larger than any API request, bounded by its route. */
    private static boolean corpusUpload(HttpServletRequest request) {
        return "PUT".equals(request.getMethod()) && request.getRequestURI().startsWith("/admin/corpora/");
    }

    private static boolean authorized(String header, String key) {
        if (header == null || !header.startsWith("Bearer ")) {
            return false;
        }
        byte[] given = header.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, key.getBytes(StandardCharsets.UTF_8)); // constant time
    }

    private void reject(HttpServletRequest request, HttpServletResponse response, HttpStatus status, String title, String detail) throws IOException {
        String errorType = status == HttpStatus.UNAUTHORIZED ? "authentication" : "validation";
        ResponseEntity<Object> error = ApiExceptionHandler.error(request, status, title, detail, errorType, null);
        response.setStatus(status.value());
        response.setContentType(String.valueOf(error.getHeaders().getContentType()));
        response.getOutputStream().write(json.writeValueAsBytes(error.getBody()));
    }
}
