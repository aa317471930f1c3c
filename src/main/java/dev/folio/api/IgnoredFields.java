package dev.folio.api;

import jakarta.servlet.http.HttpServletResponse;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Fields in neither TGI's nor OpenAI's schema are ignored, as vLLM does (clients send each other's fields), unless one
 * is a near miss of a field the request knows (then 422, "did you mean ...?"), and named in
 * the {@value #HEADER} response header so a client can see what had no effect: the first {@value #MAX_NAMES} names in
 * order (each cut to {@value #MAX_NAME_LENGTH} characters), and how many there were in {@value #COUNT_HEADER}. A body
 * full of unknown names must not make a header larger than the server can write.
 */
public final class IgnoredFields {

    public static final String HEADER = "X-Folio-Ignored-Fields";
    public static final String COUNT_HEADER = "X-Folio-Ignored-Field-Count";
    static final int MAX_NAMES = 16;
    static final int MAX_NAME_LENGTH = 64;

    private IgnoredFields() {}

    /** One JSON object's unknown fields, the path prefix it sits at ("" or "parameters."), and the record it binds to. */
    public record Unknown(String prefix, Map<String, ?> fields, Class<? extends Record> schema) {}

    /**
     * Refuses a misspelt field ({@link NearMisses}) with 422, then names the other unknown fields of a request in the
     * header.
     */
    public static void report(HttpServletResponse response, Unknown... objects) {
        TreeSet<String> names = new TreeSet<>();
        for (Unknown object : objects) {
            if (object.fields() == null) {
                continue;
            }
            for (String name : object.fields().keySet()) {
                refuseNearMiss(object, name);
                names.add(object.prefix() + name);
            }
        }
        if (names.isEmpty()) {
            return;
        }
        String shown = names.stream().limit(MAX_NAMES).map(IgnoredFields::bounded).collect(Collectors.joining(", "));
        int more = names.size() - MAX_NAMES;
        response.setHeader(HEADER, more > 0 ? shown + ", ... (" + more + " more)" : shown);
        response.setHeader(COUNT_HEADER, Integer.toString(names.size()));
    }

    /**
     * For Folio's own routes, which no other protocol's client calls: any field the request does not know is refused with
     * 422, naming it and the field it is near, so a typo never leaves a default in force.
     */
    public static void refuseAll(Unknown... objects) {
        for (Unknown object : objects) {
            if (object.fields() == null || object.fields().isEmpty()) {
                continue;
            }
            String name = object.fields().keySet().iterator().next();
            String field = bounded(object.prefix() + name);
            String hint = NearMisses.meant(name, object.schema()).map(meant -> "; did you mean " + object.prefix() + meant + "?").orElse("");
            throw new InvalidRequestException(field + " is not a field of this request" + hint, field);
        }
    }

    private static void refuseNearMiss(Unknown object, String name) {
        NearMisses.meant(name, object.schema()).ifPresent(meant -> {
            String field = object.prefix() + name;
            throw new InvalidRequestException(bounded(field) + " is not a field of this request; did you mean " + object.prefix() + meant
                    + "? (fields that are not near a known one are ignored, and named in the " + HEADER + " header)", bounded(field));
        });
    }

    /** A name as it can go in a header: printable ASCII (others as '?'), at most {@value #MAX_NAME_LENGTH} characters. */
    private static String bounded(String name) {
        String cut = name.length() > MAX_NAME_LENGTH ? name.substring(0, MAX_NAME_LENGTH) + "..." : name;
        return cut.chars().map(c -> c >= 0x20 && c < 0x7f ? c : '?')
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }
}
