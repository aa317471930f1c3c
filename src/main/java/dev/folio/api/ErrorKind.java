package dev.folio.api;

import org.springframework.http.HttpStatus;

/**
 * The families of error the API answers, each with its usual status, its title, and the word TGI's
 * {@code ErrorResponse.error_type} uses for it. A family may answer with another status where HTTP has a more exact
 * one (an invalid request that is too large is 413), but its word stays the family's.
 */
public enum ErrorKind {
    INVALID(HttpStatus.UNPROCESSABLE_CONTENT, "Input validation error", "validation"),
    NOT_FOUND(HttpStatus.NOT_FOUND, "Not found", "validation"),
    CONFLICT(HttpStatus.CONFLICT, "Conflict", "validation"),
    OVERLOADED(HttpStatus.TOO_MANY_REQUESTS, "Model is overloaded", "overloaded"),
    /** A key is missing or does not open the route (the security filters' 401). */
    UNAUTHENTICATED(HttpStatus.UNAUTHORIZED, "Unauthorized", "authentication"),
    GENERATION(HttpStatus.INTERNAL_SERVER_ERROR, "Internal error", "generation");

    private final HttpStatus status;
    private final String title;
    private final String errorType;

    ErrorKind(HttpStatus status, String title, String errorType) {
        this.status = status;
        this.title = title;
        this.errorType = errorType;
    }

    public HttpStatus status() {
        return status;
    }

    public String title() {
        return title;
    }

    /** TGI's {@code error_type}. */
    public String errorType() {
        return errorType;
    }
}
