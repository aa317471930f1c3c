package dev.folio.inference;

/** The caller cancelled a generation (for example, its client disconnected) before it finished. */
public final class GenerationCancelledException extends RuntimeException {

    private final int generatedTokens;

    public GenerationCancelledException(int generatedTokens) {
        super("generation cancelled after " + generatedTokens + " tokens");
        this.generatedTokens = generatedTokens;
    }

    public int generatedTokens() {
        return generatedTokens;
    }
}
