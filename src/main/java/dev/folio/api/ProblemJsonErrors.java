package dev.folio.api;

import dev.folio.api.tgi.Tgi;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;

/** RFC 9457 problem+json that also carries TGI's ErrorResponse members ({@code error}, {@code error_type}). */
final class ProblemJsonErrors implements ErrorRenderer {

    @Override
    public ResponseEntity<Object> response(ApiError error, HttpServletRequest request) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(error.status(), error.detail());
        problem.setTitle(error.title());
        if (request != null) {
            problem.setInstance(instance(request));
        }
        problem.setProperty("error", error.detail());
        problem.setProperty("error_type", error.kind().errorType());
        return ResponseEntity.status(error.status()).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }

    /** TGI's in-stream error: its ErrorResponse alone. */
    @Override
    public Object streamEvent(ApiError error) {
        return new Tgi.ErrorResponse(error.detail(), error.kind().errorType());
    }

    /** The request's path as the problem's instance; none for a raw path that is no URI (one the firewall refused). */
    private static URI instance(HttpServletRequest request) {
        try {
            return URI.create(request.getRequestURI());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
