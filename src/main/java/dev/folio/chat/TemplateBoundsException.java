package dev.folio.chat;

/**
 * A chat template crossed one of its {@link TemplateLimits} while rendering: the message names the bound
 * (loop budget, render time, string length or output size). An {@link IllegalArgumentException}, as every
 * refusal of a template is, so callers that only tell good from bad need not know it.
 */
public final class TemplateBoundsException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public TemplateBoundsException(String message) {
        super(message);
    }
}
