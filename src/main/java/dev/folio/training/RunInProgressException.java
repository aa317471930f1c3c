package dev.folio.training;

/** Another training run holds the store's lock. */
public final class RunInProgressException extends RuntimeException {

    public RunInProgressException(String message) {
        super(message);
    }
}
