package dev.folio.api;

import dev.folio.inference.ConcurrencyLimiter;
import dev.folio.inference.GenerationCancelledException;
import dev.folio.store.InvalidVersionException;
import dev.folio.store.VersionNotFoundException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.validation.FieldError;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.servlet.resource.NoResourceFoundException;
import org.springframework.web.util.DisconnectedClientHelper;
import tools.jackson.core.JacksonException;

/**
 * Every error as RFC 9457 problem+json that also carries TGI's ErrorResponse fields
 * ({@code error}, {@code error_type}); on OpenAI's routes ({@code /v1/*}) in OpenAI's shape
 * ({@code {"error": {message, type, param, code}}}). Never a stack trace.
 */
@RestControllerAdvice
public class ApiExceptionHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);
    private static final int CLIENT_CLOSED_REQUEST = 499;

    @ExceptionHandler(InvalidRequestException.class)
    ResponseEntity<Object> invalidRequest(InvalidRequestException e, HttpServletRequest request) {
        return error(request, HttpStatus.UNPROCESSABLE_CONTENT, "Input validation error", e.getMessage(), "validation", e.param());
    }

    @ExceptionHandler(ModelNotFoundException.class)
    ResponseEntity<Object> modelNotFound(ModelNotFoundException e, HttpServletRequest request) {
        return error(request, HttpStatus.NOT_FOUND, "Model not found", e.getMessage(), "validation", e.param());
    }

    @ExceptionHandler(ConflictException.class)
    ResponseEntity<Object> conflict(ConflictException e, HttpServletRequest request) {
        return error(request, HttpStatus.CONFLICT, "Conflict", e.getMessage(), "validation", null);
    }

    @ExceptionHandler(VersionNotFoundException.class)
    ResponseEntity<Object> notFound(VersionNotFoundException e, HttpServletRequest request) {
        return error(request, HttpStatus.NOT_FOUND, "Not found", e.getMessage(), "validation", null);
    }

    @ExceptionHandler(InvalidVersionException.class)
    ResponseEntity<Object> invalidVersion(InvalidVersionException e, HttpServletRequest request) {
        return error(request, HttpStatus.CONFLICT, "Version fails its checks", e.getMessage(), "validation", null);
    }

    @ExceptionHandler(ConcurrencyLimiter.OverloadedException.class)
    ResponseEntity<Object> overloaded(ConcurrencyLimiter.OverloadedException e, HttpServletRequest request) {
        ResponseEntity<Object> response = error(request, HttpStatus.TOO_MANY_REQUESTS, "Model is overloaded", e.getMessage(), "overloaded", null);
        return ResponseEntity.status(response.getStatusCode()).headers(response.getHeaders()).header(HttpHeaders.RETRY_AFTER, "1").body(response.getBody());
    }

    /**
     * The client left and its generation stopped: nobody reads the answer, so nothing is written (Tomcat closes the
     * connection); 499 is nginx's "client closed request", for the access log and the request metrics.
     */
    @ExceptionHandler(GenerationCancelledException.class)
    void clientGone(GenerationCancelledException e, HttpServletResponse response) {
        log.debug("generation cancelled: the client left ({})", e.getMessage());
        response.setStatus(CLIENT_CLOSED_REQUEST);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> unexpected(Exception e, HttpServletRequest request) {
        if (DisconnectedClientHelper.isClientDisconnectedException(e)) { // nobody to answer, nothing wrong here: no stack trace
            log.debug("client went away: {}", e.toString());
            return null;
        }
        log.error("request failed", e);
        return error(request, HttpStatus.INTERNAL_SERVER_ERROR, "Internal error", "the request failed inside the server; see its logs", "generation", null);
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException e, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        String detail = e.getBindingResult().getFieldErrors().stream()
                .map(error -> wireName(error) + ": " + error.getDefaultMessage()
                        + (error.getRejectedValue() == null ? "" : " (given: " + error.getRejectedValue() + ")"))
                .sorted()
                .collect(Collectors.joining("; "));
        FieldError first = e.getBindingResult().getFieldError();
        return error(servlet(request), HttpStatus.UNPROCESSABLE_CONTENT, "Input validation error", detail, "validation",
                first == null ? null : wireName(first));
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException e, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BodyLimitedRequest.BodyTooLargeException tooLarge) {
                return error(servlet(request), HttpStatus.CONTENT_TOO_LARGE, "Payload too large", tooLarge.getMessage(), "validation", null);
            }
        }
        Throwable cause = e.getMostSpecificCause();
        String reason = cause instanceof JacksonException json ? where(json) + plain(json.getOriginalMessage()) : "the body is not a JSON object";
        return error(servlet(request), HttpStatus.BAD_REQUEST, "Malformed request body", "could not read the request body as JSON: " + reason,
                "validation", null);
    }

    /**
     * Spring's own 4xx (404, 405, 415, ...) keep their status, in Folio's shape, with a detail in the client's terms: what was
     * asked and what the server answers instead, never the framework's wording.
     */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception e, Object body, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        HttpServletRequest servlet = servlet(request);
        String asked = servlet == null ? "this request" : servlet.getMethod() + " " + servlet.getRequestURI();
        String detail = clientTerms(e, asked);
        if (detail == null) {
            detail = body instanceof ProblemDetail problem && problem.getDetail() != null ? problem.getDetail() : e.getMessage();
        }
        String title = body instanceof ProblemDetail problem && problem.getTitle() != null ? problem.getTitle() : "Error";
        ResponseEntity<Object> response = error(servlet, HttpStatus.valueOf(status.value()), title, detail,
                status.is4xxClientError() ? "validation" : "generation", null);
        return ResponseEntity.status(status).headers(headers).headers(response.getHeaders()).body(response.getBody());
    }

    /** The one error shape, also for refusals made before any controller runs (the security filters'). */
    public static ResponseEntity<Object> error(HttpServletRequest request, HttpStatus status, String title, String detail, String errorType, String param) {
        if (request != null && request.getRequestURI().startsWith("/v1/")) {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("message", detail);
            error.put("type", status.is4xxClientError() ? "invalid_request_error" : "server_error");
            error.put("param", param);
            error.put("code", status == HttpStatus.TOO_MANY_REQUESTS ? "rate_limit_exceeded"
                    : status == HttpStatus.NOT_FOUND ? ("model".equals(param) ? "model_not_found" : "not_found") : null);
            return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON).body(Map.of("error", error));
        }
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        if (request != null) {
            problem.setInstance(instance(request));
        }
        problem.setProperty("error", detail);
        problem.setProperty("error_type", errorType);
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }

    /** The request's path as the problem's instance; none for a raw path that is no URI (one the firewall refused). */
    private static java.net.URI instance(HttpServletRequest request) {
        try {
            return java.net.URI.create(request.getRequestURI());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static HttpServletRequest servlet(WebRequest request) {
        return request instanceof ServletWebRequest servlet ? servlet.getRequest() : null;
    }

    /** What went wrong, for the framework's own 4xx; null where Spring's detail already reads well. */
    private static String clientTerms(Exception e, String asked) {
        if (e instanceof NoResourceFoundException) {
            return "there is no route " + asked + "; the API is listed at /v3/api-docs (Swagger UI at /docs)";
        }
        if (e instanceof HttpRequestMethodNotSupportedException m) {
            List<String> methods = m.getSupportedHttpMethods() == null ? List.of()
                    : m.getSupportedHttpMethods().stream().map(Object::toString).toList();
            return asked + " is not served; this path answers " + String.join(", ", methods);
        }
        if (e instanceof HttpMediaTypeNotSupportedException m) {
            return "send the body as application/json (Content-Type was " + (m.getContentType() == null ? "missing" : m.getContentType()) + ")";
        }
        if (e instanceof HttpMediaTypeNotAcceptableException) {
            return "this route answers application/json (or text/event-stream when streaming), which the Accept header does not allow";
        }
        return null;
    }

    /** Jackson's message with Java's type names in JSON's words ("`java.lang.Integer`" → "an integer"). */
    static String plain(String message) {
        return message
                .replaceAll("`(java\\.lang\\.)?(Integer|Long|int|long)`", "an integer")
                .replaceAll("`(java\\.lang\\.)?(Float|Double|float|double)`", "a number")
                .replaceAll("`(java\\.lang\\.)?(Boolean|boolean)`", "a boolean (true or false)")
                .replaceAll("`java\\.lang\\.String`", "a string")
                .replaceAll("`java\\.util\\.[A-Za-z]*List[^`]*`", "an array")
                .replaceAll("`[a-z][\\w.]*\\.([A-Z]\\w*)(\\$\\w+)*`", "an object")
                .replaceAll("\\s*\\(for Object starting at[^)]*\\)", "");
    }

    /** "parameters.max_new_tokens: " for an error inside a field, "" at the top level. */
    private static String where(JacksonException e) {
        String path = e.getPath().stream()
                .map(ref -> ref.getPropertyName() != null ? ref.getPropertyName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
        return path.isEmpty() ? "" : path + ": ";
    }

    /** Field paths in the JSON's snake_case, as the client wrote them (parameters.maxNewTokens → parameters.max_new_tokens). */
    private static String wireName(FieldError error) {
        return error.getField().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }
}
