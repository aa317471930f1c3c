package dev.folio.store;

/** A version on disk that must not be served: missing files, checksum mismatch, unreadable metadata. */
public final class InvalidVersionException extends RuntimeException {

    public InvalidVersionException(String message) {
        super(message);
    }

    public InvalidVersionException(String message, Throwable cause) {
        super(message, cause);
    }
}
