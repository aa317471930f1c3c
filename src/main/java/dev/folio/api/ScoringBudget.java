package dev.folio.api;

import dev.folio.FolioProperties;
import java.util.Locale;
import org.springframework.stereotype.Component;

/**
 * Bounds what a scoring request may make the server write, before any scoring runs: a few kilobytes of text asked for
 * every position's alternatives (or every logit) would otherwise answer tens of megabytes, after seconds of a scoring
 * thread. Estimates are per JSON entry, rounded up from the shapes the routes write, so an answer within the budget is
 * within {@code folio.generation.max-scoring-response-bytes}.
 */
@Component
public class ScoringBudget {

    /** What every answer carries besides its entries (ids, model, usage, window). */
    public static final int ANSWER_BYTES = 512;
    /** {@code /logits}: a position's own fields (position, token, next_token) in bytes. */
    public static final int LOGITS_POSITION_BYTES = 160;
    /** {@code /logits}: one top-n candidate ({@code {"id":..,"text":..,"logit":..,"logprob":..}}). */
    public static final int LOGITS_CANDIDATE_BYTES = 80;
    /** {@code /logits}: one raw logit with include_logits. */
    public static final int LOGIT_BYTES = 16;
    /** OpenAI logprobs: a token's own entries (token, token_logprob, text_offset, its top_logprobs object). */
    public static final int LOGPROBS_TOKEN_BYTES = 40;
    /** OpenAI logprobs: one alternative in top_logprobs ({@code "a": -1.2345678}). */
    public static final int LOGPROBS_ALTERNATIVE_BYTES = 24;

    private final long limit;

    public ScoringBudget(FolioProperties properties) {
        this.limit = properties.generation().maxScoringResponseBytes();
    }

    public long limit() {
        return limit;
    }

    /**
     * Refuses a request whose answer would exceed the limit.
     *
     * @param estimate the size in bytes of the answer's entries, as estimated with this class's constants
     * @param shape what makes it that large, in the request's terms ("16384 positions x 10 alternatives")
     * @param param the field that does most of it
     * @param howToFit what the client can ask for instead
     * @throws InvalidRequestException (422) saying the estimate, the limit and how to stay under it
     */
    public void check(long estimate, String shape, String param, String howToFit) {
        if (ANSWER_BYTES + estimate > limit) {
            throw new InvalidRequestException(String.format(Locale.ROOT,
                    "the answer would be about %s (%s), over the limit of %s (folio.generation.max-scoring-response-bytes); %s",
                    size(ANSWER_BYTES + estimate), shape, size(limit), howToFit), param);
        }
    }

    private static String size(long bytes) {
        return bytes >= 1 << 20 ? String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0)
                : bytes >= 1 << 10 ? String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0) : bytes + " bytes";
    }
}
