package dev.folio.api;

import java.util.Collection;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;

/**
 * A body that is JSON but holds a value of the wrong type, said in JSON's words and the client's field names:
 * {@code max_tokens must be an integer; given "ten"}, never Jackson's "Cannot deserialize value of type ...".
 */
final class JsonTypeErrors {

    private static final int MAX_SHOWN = 40;
    private static final Pattern GIVEN_KIND = Pattern.compile("from (Array|Object|String|Integer|Floating-point|Boolean) value");

    private JsonTypeErrors() {}

    /** The field and what it must be, or null when the error is not one field's type (a syntax error, a wrong root). */
    static String describe(JacksonException e) {
        String field = path(e);
        if (!(e instanceof MismatchedInputException mismatch) || mismatch.getTargetType() == null || field.isEmpty()) {
            return null;
        }
        String given = given(mismatch);
        return field + " must be " + noun(mismatch.getTargetType()) + (given == null ? "" : "; given " + given);
    }

    /** "parameters.max_new_tokens" for a field inside an object, "" at the top level. */
    static String path(JacksonException e) {
        return e.getPath().stream()
                .map(ref -> ref.getPropertyName() != null ? ref.getPropertyName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    private static String noun(Class<?> type) {
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class || type == Short.class || type == short.class) {
            return "an integer";
        }
        if (type == Float.class || type == float.class || type == Double.class || type == double.class || Number.class.isAssignableFrom(type)) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "a boolean (true or false)";
        }
        if (type == String.class || type.isEnum()) {
            return "a string";
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "an array";
        }
        return Map.class.isAssignableFrom(type) || !type.isPrimitive() ? "an object" : "a value of another type";
    }

    /** The value sent: as written where Jackson kept it ("ten" with its quotes), else its kind ("an array"). */
    private static String given(MismatchedInputException e) {
        if (e instanceof InvalidFormatException format && format.getValue() != null) {
            Object value = format.getValue();
            String shown = value instanceof CharSequence text ? "\"" + text + "\"" : String.valueOf(value);
            return shown.length() > MAX_SHOWN ? shown.substring(0, MAX_SHOWN) + "..." : shown;
        }
        Matcher kind = GIVEN_KIND.matcher(String.valueOf(e.getOriginalMessage()));
        if (!kind.find()) {
            return null;
        }
        return switch (kind.group(1)) {
            case "Array" -> "an array";
            case "Object" -> "an object";
            case "String" -> "a string";
            case "Integer" -> "an integer";
            case "Floating-point" -> "a number";
            default -> "a boolean";
        };
    }
}
