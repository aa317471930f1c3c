package dev.folio.api.openai;

import dev.folio.api.ApiError;
import dev.folio.api.ErrorRenderer;
import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/** OpenAI's error object, {@code {"error": {message, type, param, code}}}, as its clients parse it. */
public final class OpenAiErrors implements ErrorRenderer {

    @Override
    public ResponseEntity<Object> response(ApiError error, HttpServletRequest request) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("message", error.detail());
        body.put("type", type(error));
        body.put("param", error.param());
        body.put("code", error.status() == HttpStatus.TOO_MANY_REQUESTS ? "rate_limit_exceeded"
                : error.status() == HttpStatus.NOT_FOUND ? ("model".equals(error.param()) ? "model_not_found" : "not_found") : null);
        return ResponseEntity.status(error.status()).contentType(MediaType.APPLICATION_JSON).body(Map.of("error", body));
    }

    @Override
    public Object streamEvent(ApiError error) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("message", error.detail());
        body.put("type", type(error));
        return Map.of("error", body);
    }

    private static String type(ApiError error) {
        return error.status().is4xxClientError() ? "invalid_request_error" : "server_error";
    }
}
