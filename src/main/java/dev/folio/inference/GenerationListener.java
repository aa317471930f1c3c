package dev.folio.inference;

/** Follows a generation as it runs: each token as it is produced, and whether the caller gave up. */
public interface GenerationListener {

    /**
     * Called on the generating thread right after each token is chosen; {@code last} is true when this
     * token ends the generation (a stop sequence or the token limit), so a stream can close with it at once.
     */
    default void onToken(Generation.GeneratedToken token, boolean last) {}

    /** Checked before every decoding step; true stops the generation there (a client went away). */
    default boolean cancelled() {
        return false;
    }

    GenerationListener NONE = new GenerationListener() {};
}
