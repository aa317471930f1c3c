package dev.folio.api;

import java.util.List;

/**
 * Streams text without the stop sequence that ends it, as OpenAI's API does: characters that could
 * be the start of a stop sequence are held back until they turn out not to be.
 */
public final class StopTextFilter {

    private final List<String> stops;
    private final StringBuilder held = new StringBuilder();

    public StopTextFilter(List<String> stops) {
        this.stops = stops;
    }

    /** Text that is now safe to send (possibly empty). */
    public String offer(String text) {
        held.append(text);
        int keep = longestSuffixThatStartsAStop();
        String release = held.substring(0, held.length() - keep);
        held.delete(0, held.length() - keep);
        return release;
    }

    /** What is left at the end: nothing if the text ended with a stop sequence, else the held characters. */
    public String finish(boolean endedWithStop) {
        String rest = held.toString();
        held.setLength(0);
        return endedWithStop ? strip(rest, stops) : rest;
    }

    /** The text without the stop sequence it ends with, if it ends with one. */
    public static String strip(String text, List<String> stops) {
        for (String stop : stops) {
            if (text.endsWith(stop)) {
                return text.substring(0, text.length() - stop.length());
            }
        }
        return text;
    }

    private int longestSuffixThatStartsAStop() {
        int best = 0;
        for (String stop : stops) {
            for (int n = Math.min(stop.length(), held.length()); n > best; n--) {
                if (held.substring(held.length() - n).equals(stop.substring(0, n))) {
                    best = n;
                    break;
                }
            }
        }
        return best;
    }
}
