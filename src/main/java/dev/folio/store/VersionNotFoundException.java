package dev.folio.store;

/** No such version (or nothing to roll back to). */
public final class VersionNotFoundException extends RuntimeException {

    public VersionNotFoundException(String message) {
        super(message);
    }
}
