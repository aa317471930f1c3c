package dev.folio.api;

/** The request conflicts with the state of the server (a run already going, deleting the current version); 409. */
public final class ConflictException extends ApiException {

    public ConflictException(String message) {
        super(ErrorKind.CONFLICT, message, null);
    }
}
