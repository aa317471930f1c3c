package dev.folio.api;

import org.springframework.http.HttpStatus;

/**
 * One error as every protocol's renderer takes it: what went wrong ({@code detail}, in the client's terms), its family,
 * the status it answers with, and the request parameter at fault (null when no one parameter is).
 */
public record ApiError(HttpStatus status, String title, String detail, ErrorKind kind, String param) {

    public static ApiError of(ErrorKind kind, String detail, String param) {
        return new ApiError(kind.status(), kind.title(), detail, kind, param);
    }

    /** A framework's or filter's refusal with its own status and title, in a family's words. */
    public static ApiError of(HttpStatus status, String title, String detail, ErrorKind kind) {
        return new ApiError(status, title, detail, kind, null);
    }
}
