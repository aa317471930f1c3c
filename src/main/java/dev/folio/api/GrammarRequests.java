package dev.folio.api;

import tools.jackson.databind.JsonNode;

/**
 * Reads the wire forms of a grammar into one {@link GenerationSpec.GrammarRequest}: TGI's {@code grammar}
 * ({@code {"type": "regex" | "json" | "json_schema", "value": ...}}) and the chat route's {@code response_format} (OpenAI's
 * {@code json_object} and {@code json_schema}, and TGI's GrammarType).
 */
public final class GrammarRequests {

    private GrammarRequests() {}

    /** TGI's GrammarType; null when absent. */
    public static GenerationSpec.GrammarRequest fromTgi(JsonNode grammar, String field) {
        if (grammar == null || grammar.isNull()) {
            return null;
        }
        String type = grammar.path("type").asString("");
        JsonNode value = grammar.get("value");
        switch (type) {
            case "regex":
                if (value == null || !value.isString() || value.asString().isEmpty()) {
                    throw new InvalidRequestException(field + ".value must be the regular expression, a non-empty string", field + ".value");
                }
                return new GenerationSpec.GrammarRequest("regex", value.asString(), field);
            case "json":
                return schema(value, field + ".value", field);
            case "json_schema":
                return schema(value == null ? null : value.get("schema"), field + ".value.schema", field);
            default:
                throw new InvalidRequestException(field + ".type must be regex, json or json_schema; given: '" + type + "'", field + ".type");
        }
    }

    /** The chat route's response_format, in OpenAI's or TGI's form; null for none or {"type": "text"}. */
    public static GenerationSpec.GrammarRequest fromResponseFormat(JsonNode format, String field) {
        if (format == null || format.isNull()) {
            return null;
        }
        String type = format.path("type").asString("");
        switch (type) {
            case "text":
                return null;
            case "json_object":
                return new GenerationSpec.GrammarRequest("json_object", "", field);
            case "json_schema":
                if (format.has("json_schema")) { // OpenAI: {"type": "json_schema", "json_schema": {"name", "schema", "strict"}}
                    return schema(format.get("json_schema").get("schema"), field + ".json_schema.schema", field);
                }
                return fromTgi(format, field);
            case "json":
            case "regex":
                return fromTgi(format, field);
            default:
                throw new InvalidRequestException(field + ".type must be text, json_object or json_schema; given: '" + type + "'", field + ".type");
        }
    }

    /** A schema object; one that says nothing about properties means any JSON object. */
    private static GenerationSpec.GrammarRequest schema(JsonNode schema, String path, String field) {
        if (schema == null || !schema.isObject()) {
            throw new InvalidRequestException(path + " must be a JSON Schema object", path);
        }
        boolean anyObject = schema.isEmpty() || (schema.size() == 1 && "object".equals(schema.path("type").asString("")));
        return anyObject ? new GenerationSpec.GrammarRequest("json_object", "", field)
                : new GenerationSpec.GrammarRequest("json_schema", schema.toString(), field);
    }
}
