package dev.folio.api;

import dev.folio.inference.Generation;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A generation's text as an OpenAI-style stream sends it: without the stop sequence that ends it ({@link StopTextFilter}),
 * each chunk with the tokens of exactly the characters it sends (a token is a character), for its logprobs.
 */
public final class StreamedText {

    /** Text that is safe to send now, and its tokens (none when logprobs were not asked for). */
    public record Chunk(String text, List<Generation.GeneratedToken> tokens) {}

    private final StopTextFilter filter;
    private final boolean keepTokens;
    private final Deque<Generation.GeneratedToken> held = new ArrayDeque<>();

    /** @param keepTokens whether chunks carry their tokens (the client asked for logprobs) */
    public StreamedText(List<String> stops, boolean keepTokens) {
        this.filter = new StopTextFilter(stops);
        this.keepTokens = keepTokens;
    }

    /** A token that is not known to be the last. */
    public Chunk offer(Generation.GeneratedToken token) {
        return chunk(filterText(token));
    }

    /** The last token (null if none) and the rest of what was held back, unless the text ended with a stop sequence. */
    public Chunk finish(Generation.GeneratedToken last, boolean endedWithStop) {
        String text = last == null ? "" : filterText(last);
        return chunk(text + filter.finish(endedWithStop));
    }

    private String filterText(Generation.GeneratedToken token) {
        if (keepTokens) {
            held.addLast(token);
        }
        return filter.offer(token.text());
    }

    private Chunk chunk(String text) {
        List<Generation.GeneratedToken> tokens = new ArrayList<>();
        for (int i = 0; keepTokens && i < text.length() && !held.isEmpty(); i++) {
            tokens.add(held.removeFirst());
        }
        return new Chunk(text, tokens);
    }
}
