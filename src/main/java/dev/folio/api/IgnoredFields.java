package dev.folio.api;

import jakarta.servlet.http.HttpServletResponse;
import java.util.ArrayList;
import java.util.Map;
import java.util.TreeSet;

/**
 * Fields in neither TGI's nor OpenAI's schema are ignored, as vLLM does (clients send each other's fields), and named in
 * the {@value #HEADER} response header so a client can see what had no effect.
 */
public final class IgnoredFields {

    public static final String HEADER = "X-Folio-Ignored-Fields";

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
        if (!names.isEmpty()) {
            response.setHeader(HEADER, String.join(", ", new ArrayList<>(names)));
        }
    }

    /** One object's unknown fields at the top level. */
    public static void report(HttpServletResponse response, Map<String, ?> topLevel) {
        reportNested(response, Map.of("", topLevel == null ? Map.of() : topLevel));
    }
}
