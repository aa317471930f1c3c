package dev.folio.api;

import dev.folio.inference.Generation;
import java.util.ArrayList;
import java.util.List;

/**
 * The logprobs of the characters one piece of text sends (a token is a character), each at its offset in the whole
 * text: one rule for a streamed chunk ({@link StreamedText}) and for a whole answer, on OpenAI's completions and chat alike.
 * Each route writes the entries in its own shape.
 */
public final class ChunkLogprobs {

    /**
     * @param token the token's text
     * @param logprob its log-probability
     * @param alternatives the most likely tokens at its position, at most as many as asked
     * @param offset where its text starts in the whole text
     */
    public record Entry(String token, float logprob, List<Generation.TokenLogprob> alternatives, int offset) {}

    private final int top;
    private int offset;

    /**
     * @param top alternatives per token
     * @param offset where the first token's text starts (after an echoed prompt, its length)
     */
    public ChunkLogprobs(int top, int offset) {
        this.top = top;
        this.offset = offset;
    }

    /** The entries of the next piece's tokens; the offset moves past their text. */
    public List<Entry> next(List<Generation.GeneratedToken> tokens) {
        List<Entry> entries = new ArrayList<>(tokens.size());
        for (Generation.GeneratedToken t : tokens) {
            entries.add(new Entry(t.text(), t.logprob(), t.topTokens().stream().limit(top).toList(), offset));
            offset += t.text().length();
        }
        return entries;
    }
}
