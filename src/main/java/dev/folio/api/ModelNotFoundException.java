package dev.folio.api;

import java.util.List;

/** A request named a model the server does not serve; answered with 404, listing the served ones. */
public final class ModelNotFoundException extends NotFoundException {

    public ModelNotFoundException(String requested, List<String> served, String param) {
        super("Model not found", "the model '" + requested + "' is not served here; served: " + String.join(", ", served), param);
    }
}
