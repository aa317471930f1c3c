package dev.folio.api;

import java.util.List;

/** A request named a model the server does not serve; answered with 404, listing the served ones. */
public final class ModelNotFoundException extends RuntimeException {

    private final String param;

    public ModelNotFoundException(String requested, List<String> served, String param) {
        super("the model '" + requested + "' is not served here; served: " + String.join(", ", served));
        this.param = param;
    }

    public String param() {
        return param;
    }
}
