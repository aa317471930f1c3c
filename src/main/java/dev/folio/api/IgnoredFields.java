package dev.folio.api;

import jakarta.servlet.http.HttpServletResponse;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Fields in neither TGI's nor OpenAI's schema are ignored, as vLLM does (clients send each other's fields), and named in
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

    /**
     * Names the unknown fields of a request (each map is one JSON object's unknown fields, with the path prefix it sits at).
     *
     * @param unknown path prefix ("" or "parameters.") → that object's unknown fields
     */
    public static void reportNested(HttpServletResponse response, Map<String, Map<String, ?>> unknown) {
        TreeSet<String> names = new TreeSet<>();
        unknown.forEach((prefix, fields) -> {
            if (fields != null) {
                fields.keySet().forEach(name -> names.add(prefix + name));
            }
        });
        if (names.isEmpty()) {
            return;
        }
        String shown = names.stream().limit(MAX_NAMES).map(IgnoredFields::bounded).collect(Collectors.joining(", "));
        int more = names.size() - MAX_NAMES;
        response.setHeader(HEADER, more > 0 ? shown + ", ... (" + more + " more)" : shown);
        response.setHeader(COUNT_HEADER, Integer.toString(names.size()));
    }

    /** One object's unknown fields at the top level. */
    public static void report(HttpServletResponse response, Map<String, ?> topLevel) {
        reportNested(response, Map.of("", topLevel == null ? Map.of() : topLevel));
    }

    /** A name as it can go in a header: printable ASCII (others as '?'), at most {@value #MAX_NAME_LENGTH} characters. */
    private static String bounded(String name) {
        String cut = name.length() > MAX_NAME_LENGTH ? name.substring(0, MAX_NAME_LENGTH) + "..." : name;
        return cut.chars().map(c -> c >= 0x20 && c < 0x7f ? c : '?')
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }
}
