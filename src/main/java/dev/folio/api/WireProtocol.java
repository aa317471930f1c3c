package dev.folio.api;

import dev.folio.api.openai.OpenAiErrors;

/**
 * The protocols Folio speaks, each with its error shape. Folio's own routes and TGI's share problem+json, whose
 * {@code error} and {@code error_type} members are TGI's ErrorResponse, so TGI's clients read every error; OpenAI's
 * routes answer in OpenAI's error object.
 */
public enum WireProtocol {
    FOLIO(new ProblemJsonErrors()),
    TGI(new ProblemJsonErrors()),
    OPENAI(new OpenAiErrors());

    private final ErrorRenderer errors;

    WireProtocol(ErrorRenderer errors) {
        this.errors = errors;
    }

    public ErrorRenderer errors() {
        return errors;
    }
}
