package dev.folio.api;

import dev.folio.inference.ConcurrencyLimiter;
import dev.folio.inference.GenerationCancelledException;
import dev.folio.store.InvalidVersionException;
import dev.folio.store.VersionNotFoundException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
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
 * Every error in its route's protocol ({@link RouteProtocols}): problem+json carrying TGI's ErrorResponse fields
 * ({@code error}, {@code error_type}) on Folio's and TGI's routes, OpenAI's error object ({@code {"error": {message,
 * type, param, code}}}) on OpenAI's. Never a stack trace.
 */
@RestControllerAdvice
public class ApiExceptionHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);
    private static final int CLIENT_CLOSED_REQUEST = 499;

    private final RouteProtocols protocols;

    public ApiExceptionHandler(RouteProtocols protocols) {
        this.protocols = protocols;
    }

    @ExceptionHandler(ApiException.class)
    ResponseEntity<Object> refused(ApiException e, HttpServletRequest request) {
        return error(request, e.error());
    }

    @ExceptionHandler(VersionNotFoundException.class)
    ResponseEntity<Object> notFound(VersionNotFoundException e, HttpServletRequest request) {
        return error(request, ApiError.of(ErrorKind.NOT_FOUND, e.getMessage(), null));
    }

    @ExceptionHandler(InvalidVersionException.class)
    ResponseEntity<Object> invalidVersion(InvalidVersionException e, HttpServletRequest request) {
        return error(request, ApiError.of(HttpStatus.CONFLICT, "Version fails its checks", e.getMessage(), ErrorKind.CONFLICT));
    }

    @ExceptionHandler(ConcurrencyLimiter.OverloadedException.class)
    ResponseEntity<Object> overloaded(ConcurrencyLimiter.OverloadedException e, HttpServletRequest request) {
        ResponseEntity<Object> response = error(request, ApiError.of(ErrorKind.OVERLOADED, e.getMessage(), null));
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
        return error(request, ApiError.of(ErrorKind.GENERATION, "the request failed inside the server; see its logs", null));
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
        return error(servlet(request), ApiError.of(ErrorKind.INVALID, detail, first == null ? null : wireName(first)));
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException e, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BodyLimitedRequest.BodyTooLargeException tooLarge) {
                return error(servlet(request), ApiError.of(HttpStatus.CONTENT_TOO_LARGE, "Payload too large", tooLarge.getMessage(), ErrorKind.INVALID));
            }
        }
        Throwable cause = e.getMostSpecificCause();
        String wrongType = cause instanceof JacksonException json ? JsonTypeErrors.describe(json) : null;
        if (wrongType != null) {
            return error(servlet(request), new ApiError(HttpStatus.BAD_REQUEST, "Malformed request body", wrongType, ErrorKind.INVALID,
                    JsonTypeErrors.path((JacksonException) cause)));
        }
        String reason = cause instanceof JacksonException json ? where(json) + plain(json.getOriginalMessage()) : "the body is not a JSON object";
        return error(servlet(request), ApiError.of(HttpStatus.BAD_REQUEST, "Malformed request body",
                "could not read the request body as JSON: " + reason, ErrorKind.INVALID));
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
        ResponseEntity<Object> response = error(servlet, ApiError.of(HttpStatus.valueOf(status.value()), title, detail,
                status.is4xxClientError() ? ErrorKind.INVALID : ErrorKind.GENERATION));
        return ResponseEntity.status(status).headers(headers).headers(response.getHeaders()).body(response.getBody());
    }

    private ResponseEntity<Object> error(HttpServletRequest request, ApiError error) {
        return protocols.errors(request).response(error, request);
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
        String path = JsonTypeErrors.path(e);
        return path.isEmpty() ? "" : path + ": ";
    }

    /** Field paths in the JSON's snake_case, as the client wrote them (parameters.maxNewTokens → parameters.max_new_tokens). */
    private static String wireName(FieldError error) {
        return error.getField().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }
}
