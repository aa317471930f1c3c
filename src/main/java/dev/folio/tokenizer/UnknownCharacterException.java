package dev.folio.tokenizer;

import java.util.List;
import java.util.stream.Collectors;

/** Text holds characters the model's vocabulary does not have; names each one and where it is. */
public final class UnknownCharacterException extends IllegalArgumentException {

    private static final int MAX_LISTED = 10;

    private final transient List<Occurrence> occurrences;

    public UnknownCharacterException(List<Occurrence> occurrences) {
        super(describe(occurrences));
        this.occurrences = List.copyOf(occurrences);
    }

    public List<Occurrence> occurrences() {
        return occurrences;
    }

    private static String describe(List<Occurrence> occurrences) {
        String listed = occurrences.stream().limit(MAX_LISTED).map(Occurrence::toString).collect(Collectors.joining(", "));
        String more = occurrences.size() > MAX_LISTED ? " and " + (occurrences.size() - MAX_LISTED) + " more" : "";
        return "unsupported character" + (occurrences.size() == 1 ? "" : "s") + " outside the model's vocabulary: " + listed + more;
    }

    /** One unsupported character: its code point and its UTF-16 offset in the text. */
    public record Occurrence(int codePoint, int position) {
        @Override
        public String toString() {
            String shown = Character.isISOControl(codePoint) || Character.isWhitespace(codePoint)
                    ? "" : "'" + new String(Character.toChars(codePoint)) + "' ";
            return shown + String.format("(U+%04X) at position %d", codePoint, position);
        }
    }
}
