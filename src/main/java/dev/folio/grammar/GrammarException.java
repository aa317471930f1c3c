package dev.folio.grammar;

/**
 * A grammar that cannot be used. The message says why in the client's terms, ready to be sent back (as a
 * 422), for example:
 * <ul>
 *   <li>regex: unbalanced parenthesis at 7: '(' is never closed</li>
 *   <li>json_schema: keyword 'oneOf' is not supported (supported: type, properties, ...)</li>
 *   <li>grammar needs characters the model's vocabulary lacks: '&#123;' (U+007B), '"' (U+0022)</li>
 *   <li>grammar too complex: more than 20000 automaton states</li>
 * </ul>
 */
public final class GrammarException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** @param message why the grammar cannot be used, in the client's terms */
    public GrammarException(String message) {
        super(message);
    }
}
