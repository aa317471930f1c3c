package dev.folio.api;

import java.util.Locale;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import tools.jackson.core.JacksonException;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.validation.FieldError;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Every error as RFC 9457 problem+json that also carries TGI's ErrorResponse fields
 * ({@code error}, {@code error_type}), so both kinds of client understand it. Never a stack trace.
 */
@RestControllerAdvice
public class ApiExceptionHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

    @ExceptionHandler(InvalidRequestException.class)
    ResponseEntity<Object> invalidRequest(InvalidRequestException e) {
        return problem(HttpStatus.UNPROCESSABLE_CONTENT, "Input validation error", e.getMessage(), "validation");
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> unexpected(Exception e) {
        log.error("request failed", e);
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, "Internal error", "the request failed inside the server; see its logs", "generation");
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException e, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        String detail = e.getBindingResult().getFieldErrors().stream()
                .map(error -> wireName(error) + ": " + error.getDefaultMessage()
                        + (error.getRejectedValue() == null ? "" : " (given: " + error.getRejectedValue() + ")"))
                .sorted()
                .collect(Collectors.joining("; "));
        return problem(HttpStatus.UNPROCESSABLE_CONTENT, "Input validation error", detail, "validation");
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException e, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        Throwable cause = e.getMostSpecificCause();
        String reason = cause instanceof JacksonException json ? where(json) + json.getOriginalMessage() : "the body is not a JSON object";
        return problem(HttpStatus.BAD_REQUEST, "Malformed request body", "could not read the request body as JSON: " + reason, "validation");
    }

    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception e, Object body, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        ResponseEntity<Object> response = super.handleExceptionInternal(e, body, headers, status, request);
        if (response != null && response.getBody() instanceof ProblemDetail problem) {
            problem.setProperty("error", problem.getDetail() != null ? problem.getDetail() : problem.getTitle());
            problem.setProperty("error_type", status.is4xxClientError() ? "validation" : "generation");
        }
        return response;
    }

    private static ResponseEntity<Object> problem(HttpStatus status, String title, String detail, String errorType) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        problem.setProperty("error", detail);
        problem.setProperty("error_type", errorType);
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
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
