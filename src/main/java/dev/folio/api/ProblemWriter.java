package dev.folio.api;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.json.ProblemDetailJacksonMixin;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes a refusal made in a filter, before any controller runs, in the route's error shape ({@link RouteProtocols}),
 * exactly as Spring MVC would: a problem's extra properties ({@code error}, {@code error_type}) at the top level,
 * beside RFC 9457's fields.
 */
public final class ProblemWriter {

    private final JsonMapper json = JsonMapper.builder().addMixIn(ProblemDetail.class, ProblemDetailJacksonMixin.class).build();
    private final RouteProtocols protocols;

    public ProblemWriter(RouteProtocols protocols) {
        this.protocols = protocols;
    }

    public void write(HttpServletRequest request, HttpServletResponse response, ApiError error) throws IOException {
        ResponseEntity<Object> answer = protocols.errors(request).response(error, request);
        response.setStatus(error.status().value());
        response.setContentType(String.valueOf(answer.getHeaders().getContentType()));
        response.getOutputStream().write(json.writeValueAsBytes(answer.getBody()));
    }
}
