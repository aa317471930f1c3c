package dev.folio.api;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.json.ProblemDetailJacksonMixin;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes a refusal made in a filter, before any controller runs, in the API's one error shape
 * ({@link ApiExceptionHandler#error}), exactly as Spring MVC would: a problem's extra properties ({@code error},
 * {@code error_type}) at the top level, beside RFC 9457's fields.
 */
public final class ProblemWriter {

    private final JsonMapper json = JsonMapper.builder().addMixIn(ProblemDetail.class, ProblemDetailJacksonMixin.class).build();

    public void write(HttpServletRequest request, HttpServletResponse response, HttpStatus status, String title, String detail, String errorType)
            throws IOException {
        ResponseEntity<Object> error = ApiExceptionHandler.error(request, status, title, detail, errorType, null);
        response.setStatus(status.value());
        response.setContentType(String.valueOf(error.getHeaders().getContentType()));
        response.getOutputStream().write(json.writeValueAsBytes(error.getBody()));
    }
}
