package dev.folio.api.security;

import dev.folio.api.ApiExceptionHandler;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import tools.jackson.databind.json.JsonMapper;

/** Writes a refusal made before any controller runs in the API's one error shape ({@link ApiExceptionHandler#error}). */
final class ProblemWriter {

    private final JsonMapper json = JsonMapper.builder().build();

    void write(HttpServletRequest request, HttpServletResponse response, HttpStatus status, String title, String detail, String errorType)
            throws IOException {
        ResponseEntity<Object> error = ApiExceptionHandler.error(request, status, title, detail, errorType, null);
        response.setStatus(status.value());
        response.setContentType(String.valueOf(error.getHeaders().getContentType()));
        response.getOutputStream().write(json.writeValueAsBytes(error.getBody()));
    }
}
