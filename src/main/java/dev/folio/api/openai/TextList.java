package dev.folio.api.openai;

import dev.folio.api.InvalidRequestException;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** A JSON string or an array of strings, as OpenAI accepts for prompt and stop. */
public final class TextList {

    private TextList() {}

    /** The strings a field holds; anything else is a 422 naming the field. */
    public static List<String> of(JsonNode node, String field) {
        if (node.isString()) {
            return List.of(node.asString());
        }
        if (!node.isArray()) {
            throw notStrings(field);
        }
        List<String> values = new ArrayList<>();
        for (JsonNode item : node) {
            if (!item.isString()) {
                throw notStrings(field);
            }
            values.add(item.asString());
        }
        return values;
    }

    /** As {@link #of}, and no strings when the field is absent or null. */
    public static List<String> optional(JsonNode node, String field) {
        return node == null || node.isNull() ? List.of() : of(node, field);
    }

    private static InvalidRequestException notStrings(String field) {
        return new InvalidRequestException(field + " must be a string or an array of strings", field);
    }
}
