package dev.folio.training;

/** A run's settings that passed their field checks but not the store's: no such corpus, nothing to fine-tune, and the like. */
public final class InvalidRunSettingsException extends RuntimeException {

    private final String field;

    public InvalidRunSettingsException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The offending field, as the request spells it (architecture.n_layer). */
    public String field() {
        return field;
    }
}
