package dev.folio.api;

import org.springframework.http.HttpStatus;

/** An error the API answers as it is: its message is the detail the client reads, in whichever protocol's shape. */
public abstract class ApiException extends RuntimeException {

    private final HttpStatus status;
    private final String title;
    private final ErrorKind kind;
    private final String param;

    protected ApiException(ErrorKind kind, HttpStatus status, String title, String message, String param) {
        super(message);
        this.kind = kind;
        this.status = status;
        this.title = title;
        this.param = param;
    }

    protected ApiException(ErrorKind kind, String message, String param) {
        this(kind, kind.status(), kind.title(), message, param);
    }

    /** The offending field, reported as OpenAI's {@code param}; null when none is. */
    public String param() {
        return param;
    }

    public ApiError error() {
        return new ApiError(status, title, getMessage(), kind, param);
    }
}
