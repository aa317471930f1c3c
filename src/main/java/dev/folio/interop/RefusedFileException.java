package dev.folio.interop;

/** A model file Folio will not read or publish, and why, in one line a user can act on. Nothing is published when it is thrown. */
public class RefusedFileException extends RuntimeException {

    public RefusedFileException(String message) {
        super(message);
    }

    public RefusedFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
