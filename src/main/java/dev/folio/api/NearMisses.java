package dev.folio.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Tells a misspelt field from a field of another protocol: an unknown name one edit (two, for a long name) from a field
 * the request's schema knows is a typo ({@code max_new_token}, {@code temprature}), which would otherwise be ignored
 * and leave the default in force without a word in the body.
 */
final class NearMisses {

    /** Shorter names are too close to too much ("n", "seed") to call a typo. */
    private static final int MIN_LENGTH = 4;
    private static final int LONG_NAME = 10;

    private static final ClassValue<List<String>> FIELDS = new ClassValue<>() {
        @Override
        protected List<String> computeValue(Class<?> type) {
            return Stream.of(type.getRecordComponents()).map(NearMisses::wireName).flatMap(Optional::stream).toList();
        }
    };

    private NearMisses() {}

    /** The field of {@code schema} that {@code unknown} most likely meant, if it is near enough to one. */
    static Optional<String> meant(String unknown, Class<? extends Record> schema) {
        if (unknown.length() < MIN_LENGTH) {
            return Optional.empty();
        }
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String known : FIELDS.get(schema)) {
            int distance = distance(unknown, known);
            if (distance <= (known.length() >= LONG_NAME ? 2 : 1) && distance < bestDistance) {
                best = known;
                bestDistance = distance;
            }
        }
        return Optional.ofNullable(best);
    }

    private static Optional<String> wireName(RecordComponent component) {
        try {
            JsonProperty property = component.getDeclaringRecord().getDeclaredField(component.getName()).getAnnotation(JsonProperty.class);
            return property == null || property.value().isEmpty() ? Optional.empty() : Optional.of(property.value());
        } catch (NoSuchFieldException e) {
            return Optional.empty();
        }
    }

    /** Edits (insert, delete, replace, swap two neighbours) from a to b: optimal string alignment distance. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
