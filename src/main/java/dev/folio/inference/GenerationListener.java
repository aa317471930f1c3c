package dev.folio.inference;

/** Follows a generation as it runs: each token as it is produced, and whether the caller gave up. */
public interface GenerationListener {

    /** Called on the generating thread right after each token is chosen. */
    default void onToken(Generation.GeneratedToken token) {}

    /** Checked before every decoding step; true stops the generation there (a client went away). */
    default boolean cancelled() {
        return false;
    }

    GenerationListener NONE = new GenerationListener() {};
}
