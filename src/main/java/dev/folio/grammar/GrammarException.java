package dev.folio.grammar;

/**
 * A grammar that cannot be used. The message says why in the client's terms, ready to be sent back
 * (as a 422): for example {@code "regex: unbalanced parenthesis at 7"}, {@code "json_schema: keyword 'oneOf'
 * is not supported (supported: ...)"}, {@code "grammar needs characters the model's vocabulary lacks: '{'
 * (U+007B), '\"' (U+0022)"} or {@code "grammar too complex: more than 20000 automaton states"}.
 */
public final class GrammarException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** @param message why the grammar cannot be used, in the client's terms */
    public GrammarException(String message) {
        super(message);
    }
}
