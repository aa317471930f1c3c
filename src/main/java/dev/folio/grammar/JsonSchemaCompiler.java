package dev.folio.grammar;

import static dev.folio.grammar.RegexNode.choice;
import static dev.folio.grammar.RegexNode.literal;
import static dev.folio.grammar.RegexNode.sequence;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Compiles a JSON Schema to the regular language of the JSON texts it allows, written compactly as
 * {@link JsonText} describes (no whitespace but one optional space after {@code :} and {@code ,}).
 *
 * <p>The subset supported:
 * <ul>
 *   <li>{@code type}: {@code object}, {@code array}, {@code string}, {@code integer}, {@code number},
 *       {@code boolean}, {@code null}, or a list of them (any of them). Without {@code type}, one is implied
 *       by the keywords ({@code properties}/{@code required}: object; {@code items}/{@code minItems}/
 *       {@code maxItems}: array; {@code pattern}/{@code minLength}/{@code maxLength}: string), else any JSON
 *       value. The schema {@code true} is any value; {@code false} is refused. Where the content is left
 *       open like this, containers nest at most 3 deep in all, counting the ones the schema puts around it.</li>
 *   <li>object: {@code properties} are written in the schema's order, the {@code required} ones always,
 *       each other one present or not; no other property ever ({@code additionalProperties} is accepted and
 *       read as false). Without {@code properties}, any JSON object.</li>
 *   <li>array: {@code items} (one schema; without it, any values), {@code minItems}, {@code maxItems}.</li>
 *   <li>string: {@code minLength}, {@code maxLength} (in chars, an escape counting one, a surrogate pair one),
 *       {@code pattern} (the regex syntax of {@link RegexParser}, matched against the whole value: a leading
 *       {@code ^} and trailing {@code $} are ignored; chars the value needs escaped are written escaped).</li>
 *   <li>integer: decimal without leading zeros, with {@code minimum}, {@code maximum},
 *       {@code exclusiveMinimum}, {@code exclusiveMaximum} (numbers, or draft 4's booleans).</li>
 *   <li>number: the JSON number grammar (bounds are refused: they are supported for integers only).</li>
 *   <li>{@code enum} and {@code const} at any level, of any JSON values, written compactly (strings escaped as
 *       {@link JsonText#quote}); they take the place of every other keyword of their schema.</li>
 *   <li>Ignored: {@code description}, {@code title}, {@code $schema}, {@code $id}, {@code $comment},
 *       {@code default}, {@code examples}. Any other keyword ({@code oneOf}, {@code anyOf}, {@code allOf},
 *       {@code $ref}, {@code format}, {@code patternProperties}, ...) is refused by name.</li>
 * </ul>
 * Repetition bounds ({@code maxLength}, {@code maxItems}, ...) are at most {@value RegexParser#MAX_REPETITION},
 * nesting at most {@value #MAX_DEPTH} schemas deep.
 */
final class JsonSchemaCompiler {

    static final int MAX_DEPTH = 16;

    /**
     * How deep containers may nest where the schema leaves the content open ({@code {}}, {@code true}, an
     * array without {@code items}, an object without {@code properties}), counting those the schema puts
     * around them: open content at the top nests 3 deep, inside one object 2, and so on (scalars at least).
     */
    private static final int ANY_DEPTH = JsonText.ANY_DEPTH;

    private static final List<String> SUPPORTED = List.of("type", "properties", "required",
            "additionalProperties", "items", "minItems", "maxItems", "enum", "const", "pattern", "minLength",
            "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum");
    private static final List<String> IGNORED = List.of("description", "title", "$schema", "$id", "$comment",
            "default", "examples");
    private static final List<String> TYPES = List.of("object", "array", "string", "integer", "number",
            "boolean", "null");
    private static final List<String> BOUNDS = List.of("minimum", "maximum", "exclusiveMinimum",
            "exclusiveMaximum");
    /** Integers with more digits than this are refused as bounds: nobody means them, and they cost states. */
    private static final int MAX_BOUND_DIGITS = 30;

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final GrammarLimits limits;

    private JsonSchemaCompiler(GrammarLimits limits) {
        this.limits = limits;
    }

    /** @throws GrammarException "json_schema: ..." if the schema is not valid JSON or outside the subset */
    static RegexNode compile(String schemaJson, GrammarLimits limits) {
        JsonNode root;
        try {
            root = JSON.readTree(schemaJson);
        } catch (JacksonException e) {
            throw fail("not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode()) {
            throw fail("not valid JSON: no content");
        }
        return new JsonSchemaCompiler(limits).schema(root, "", 0, 0);
    }

    /**
     * @param depth how many schemas enclose this one
     * @param containers how many JSON objects and arrays enclose the value
     */
    private RegexNode schema(JsonNode schema, String path, int depth, int containers) {
        if (depth > MAX_DEPTH) {
            throw fail("schemas nested deeper than " + MAX_DEPTH + " levels" + at(path));
        }
        if (schema.isBoolean()) {
            if (schema.asBoolean()) {
                return JsonText.anyValue(ANY_DEPTH - containers);
            }
            throw fail("the schema false" + at(path) + " matches nothing");
        }
        if (!schema.isObject()) {
            throw fail("a schema must be an object" + at(path));
        }
        for (String keyword : schema.propertyNames()) {
            if (!SUPPORTED.contains(keyword) && !IGNORED.contains(keyword)) {
                throw fail("keyword '" + keyword + "'" + at(path) + " is not supported (supported: "
                        + String.join(", ", SUPPORTED) + "; ignored: " + String.join(", ", IGNORED) + ")");
            }
        }
        if (schema.has("const")) {
            return literal(canonical(schema.get("const")));
        }
        if (schema.has("enum")) {
            JsonNode values = schema.get("enum");
            if (!values.isArray() || values.isEmpty()) {
                throw fail("'enum'" + at(path) + " must be a non-empty array");
            }
            List<RegexNode> alternatives = new ArrayList<>();
            values.forEach(v -> alternatives.add(literal(canonical(v))));
            return choice(alternatives);
        }
        List<RegexNode> alternatives = new ArrayList<>();
        for (String type : types(schema, path)) {
            alternatives.add(switch (type) {
                case "object" -> object(schema, path, depth, containers);
                case "array" -> array(schema, path, depth, containers);
                case "string" -> string(schema, path);
                case "integer" -> integer(schema, path);
                case "number" -> number(schema, path);
                case "boolean" -> JsonText.BOOLEAN;
                case "null" -> JsonText.NULL;
                default -> JsonText.anyValue(ANY_DEPTH - containers);
            });
        }
        return choice(alternatives);
    }

    /** The types the schema allows: its {@code type}, or the one its keywords imply, or "any". */
    private static Set<String> types(JsonNode schema, String path) {
        JsonNode type = schema.get("type");
        if (type == null) {
            if (schema.has("properties") || schema.has("required")) {
                return Set.of("object");
            }
            if (schema.has("items") || schema.has("minItems") || schema.has("maxItems")) {
                return Set.of("array");
            }
            if (schema.has("pattern") || schema.has("minLength") || schema.has("maxLength")) {
                return Set.of("string");
            }
            for (String bound : BOUNDS) {
                if (schema.has(bound)) {
                    throw fail("'" + bound + "'" + at(path) + " needs \"type\": \"integer\"");
                }
            }
            return Set.of("any");
        }
        List<JsonNode> names = new ArrayList<>();
        if (type.isArray() && !type.isEmpty()) {
            type.forEach(names::add);
        } else {
            names.add(type);
        }
        Set<String> types = new LinkedHashSet<>();
        for (JsonNode name : names) {
            if (!name.isString() || !TYPES.contains(name.asString())) {
                throw fail("'type'" + at(path) + " must be one of " + String.join(", ", TYPES)
                        + " or a non-empty list of them, not " + name);
            }
            types.add(name.asString());
        }
        return types;
    }

    private RegexNode object(JsonNode schema, String path, int depth, int containers) {
        JsonNode properties = schema.get("properties");
        JsonNode required = schema.get("required");
        if (properties == null) {
            if (required != null) {
                throw fail("'required'" + at(path) + " needs 'properties'");
            }
            return JsonText.anyObject(ANY_DEPTH - containers);
        }
        if (!properties.isObject()) {
            throw fail("'properties'" + at(path) + " must be an object");
        }
        Set<String> mandatory = new HashSet<>();
        if (required != null) {
            if (!required.isArray()) {
                throw fail("'required'" + at(path) + " must be an array of property names");
            }
            for (JsonNode name : required) {
                if (!name.isString() || !properties.has(name.asString())) {
                    throw fail("required property " + name + at(path) + " is not in 'properties'");
                }
                mandatory.add(name.asString());
            }
        }
        List<JsonText.Member> members = new ArrayList<>();
        for (Map.Entry<String, JsonNode> property : properties.properties()) {
            String name = property.getKey();
            RegexNode value = schema(property.getValue(), path + "/properties/" + pointer(name), depth + 1,
                    containers + 1);
            members.add(new JsonText.Member(name, value, mandatory.contains(name)));
        }
        return JsonText.object(members);
    }

    private RegexNode array(JsonNode schema, String path, int depth, int containers) {
        JsonNode items = schema.get("items");
        if (items != null && items.isArray()) {
            throw fail("'items'" + at(path) + " must be one schema (tuple items are not supported)");
        }
        RegexNode item = items == null ? JsonText.anyValue(ANY_DEPTH - containers - 1)
                : schema(items, path + "/items", depth + 1, containers + 1);
        int min = count(schema, "minItems", path, 0);
        int max = count(schema, "maxItems", path, RegexNode.UNBOUNDED);
        checkOrder(min, max, "minItems", "maxItems", path);
        return JsonText.array(item, min, max);
    }

    private RegexNode string(JsonNode schema, String path) {
        int min = count(schema, "minLength", path, 0);
        int max = count(schema, "maxLength", path, RegexNode.UNBOUNDED);
        checkOrder(min, max, "minLength", "maxLength", path);
        JsonNode pattern = schema.get("pattern");
        if (pattern == null) {
            return JsonText.string(min, max);
        }
        if (!pattern.isString()) {
            throw fail("'pattern'" + at(path) + " must be a string");
        }
        RegexNode value;
        try {
            value = RegexParser.parse(pattern.asString(), limits.maxPatternLength());
        } catch (GrammarException e) {
            throw fail("pattern" + at(path) + ": " + e.getMessage());
        }
        RegexNode content = JsonText.encoded(value);
        if (content == null) {
            throw fail("pattern" + at(path) + " matches only unpaired surrogates, which a JSON string cannot hold");
        }
        if (min > 0 || max != RegexNode.UNBOUNDED) {
            content = new RegexNode.Both(content, RegexNode.repeat(JsonText.CHAR, min, max));
        }
        return sequence(literal("\""), content, literal("\""));
    }

    private static RegexNode integer(JsonNode schema, String path) {
        BigInteger min = bound(schema, "minimum", path, RoundingMode.CEILING, false);
        BigInteger max = bound(schema, "maximum", path, RoundingMode.FLOOR, false);
        JsonNode exclusiveMin = schema.get("exclusiveMinimum");
        JsonNode exclusiveMax = schema.get("exclusiveMaximum");
        if (exclusiveMin != null && exclusiveMin.isBoolean()) {
            // draft 4: a flag on minimum
            if (exclusiveMin.asBoolean() && min != null) {
                min = bound(schema, "minimum", path, RoundingMode.FLOOR, false).add(BigInteger.ONE);
            }
        } else {
            min = tighter(min, bound(schema, "exclusiveMinimum", path, RoundingMode.FLOOR, true), 1);
        }
        if (exclusiveMax != null && exclusiveMax.isBoolean()) {
            if (exclusiveMax.asBoolean() && max != null) {
                max = bound(schema, "maximum", path, RoundingMode.CEILING, false).subtract(BigInteger.ONE);
            }
        } else {
            max = tighter(max, bound(schema, "exclusiveMaximum", path, RoundingMode.CEILING, true), -1);
        }
        if (min == null && max == null) {
            return JsonText.INTEGER;
        }
        if (min != null && max != null && min.compareTo(max) > 0) {
            throw fail("no integer is within the minimum and maximum" + at(path));
        }
        return IntegerRanges.between(min, max);
    }

    /** The integer bound from {@code keyword}, rounded; an exclusive one is moved one past (the caller's job). */
    private static BigInteger bound(JsonNode schema, String keyword, String path, RoundingMode rounding,
            boolean exclusive) {
        JsonNode value = schema.get(keyword);
        if (value == null) {
            return null;
        }
        if (!value.isNumber()) {
            throw fail("'" + keyword + "'" + at(path) + " must be a number");
        }
        BigDecimal decimal = value.decimalValue();
        if (decimal.precision() - decimal.scale() > MAX_BOUND_DIGITS) {
            throw fail("'" + keyword + "'" + at(path) + " has more than " + MAX_BOUND_DIGITS + " digits");
        }
        BigInteger rounded = decimal.setScale(0, rounding).toBigIntegerExact();
        if (exclusive) {
            // the nearest integer strictly inside: floor(x) + 1 above a minimum, ceil(x) - 1 below a maximum
            rounded = rounding == RoundingMode.FLOOR ? rounded.add(BigInteger.ONE) : rounded.subtract(BigInteger.ONE);
        }
        return rounded;
    }

    /** Of two bounds, the one leaving fewer integers: for a lower bound ({@code sign} 1) the larger. */
    private static BigInteger tighter(BigInteger a, BigInteger b, int sign) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        return a.compareTo(b) * sign >= 0 ? a : b;
    }

    private static RegexNode number(JsonNode schema, String path) {
        for (String bound : BOUNDS) {
            if (schema.has(bound)) {
                throw fail("'" + bound + "'" + at(path) + " is supported only with \"type\": \"integer\"");
            }
        }
        return JsonText.NUMBER;
    }

    /** A count keyword: a non-negative integer up to the repetition limit. */
    private static int count(JsonNode schema, String keyword, String path, int absent) {
        JsonNode value = schema.get(keyword);
        if (value == null) {
            return absent;
        }
        if (!value.isIntegralNumber() || value.bigIntegerValue().signum() < 0) {
            throw fail("'" + keyword + "'" + at(path) + " must be a non-negative integer");
        }
        if (value.bigIntegerValue().compareTo(BigInteger.valueOf(RegexParser.MAX_REPETITION)) > 0) {
            throw fail("'" + keyword + "' " + value + at(path) + " exceeds the limit of " + RegexParser.MAX_REPETITION);
        }
        return value.intValue();
    }

    private static void checkOrder(int min, int max, String minKeyword, String maxKeyword, String path) {
        if (max != RegexNode.UNBOUNDED && min > max) {
            throw fail("'" + minKeyword + "' is greater than '" + maxKeyword + "'" + at(path));
        }
    }

    /** The compact JSON text of a value, strings escaped the way {@link JsonText#quote} does it. */
    private static String canonical(JsonNode value) {
        if (value.isString()) {
            return JsonText.quote(value.asString());
        }
        if (value.isArray()) {
            List<String> items = new ArrayList<>();
            value.forEach(v -> items.add(canonical(v)));
            return "[" + String.join(",", items) + "]";
        }
        if (value.isObject()) {
            List<String> members = new ArrayList<>();
            value.properties().forEach(e -> members.add(JsonText.quote(e.getKey()) + ":" + canonical(e.getValue())));
            return "{" + String.join(",", members) + "}";
        }
        return value.toString();
    }

    /** A property name as a JSON Pointer segment. */
    private static String pointer(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }

    private static String at(String path) {
        return path.isEmpty() ? "" : " at " + path;
    }

    private static GrammarException fail(String why) {
        return new GrammarException("json_schema: " + why);
    }
}
