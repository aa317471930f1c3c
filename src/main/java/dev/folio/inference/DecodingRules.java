package dev.folio.inference;

import dev.folio.store.LoadedModel;
import dev.folio.tokenizer.CharTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The rules every decoding follows, the scheduler's and the one-request reference's (Generator, in the tests) alike: how
 * a prompt is encoded and cropped to the window, a prompt's own logprobs, the most likely alternatives, and when a stop
 * sequence ends the text.
 */
public final class DecodingRules {

    private DecodingRules() {}

    /**
     * Tokenizes a prompt for this model: unknown characters are named; {@code truncate} keeps only the
     * last tokens (TGI's parameter), and a prompt longer than the context window keeps its last
     * window's worth, as nanoGPT's sampler crops its context.
     */
    public static int[] encodePrompt(LoadedModel loaded, String prompt, Integer truncate) {
        int[] ids = loaded.tokenizer().encode(prompt);
        if (ids.length == 0) {
            throw new IllegalArgumentException("inputs must not be empty");
        }
        int keep = Math.min(loaded.gpt().config().blockSize(), truncate != null ? truncate : Integer.MAX_VALUE);
        return ids.length > keep ? Arrays.copyOfRange(ids, ids.length - keep, ids.length) : ids;
    }

    /** Each prompt token with the log-probability the model gave it from the tokens before it. */
    static List<Generation.PrefillToken> prefillTokens(CharTokenizer tokenizer, int[] input, float[] logprobs) {
        int vocab = tokenizer.vocabSize();
        List<Generation.PrefillToken> tokens = new ArrayList<>(input.length);
        for (int t = 0; t < input.length; t++) {
            Float logprob = t == 0 ? null : logprobs[(t - 1) * vocab + input[t]];
            tokens.add(new Generation.PrefillToken(input[t], tokenizer.decode(input[t]), logprob));
        }
        return tokens;
    }

    /** The n most likely next tokens under the model, most likely first. */
    public static List<Generation.TokenLogprob> topTokens(CharTokenizer tokenizer, float[] logits, int n) {
        if (n <= 0) {
            return List.of();
        }
        float[] logprobs = TokenSampler.logSoftmax(logits);
        Integer[] order = new Integer[logits.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(logprobs[b], logprobs[a]));
        List<Generation.TokenLogprob> top = new ArrayList<>(n);
        for (int r = 0; r < Math.min(n, order.length); r++) {
            top.add(new Generation.TokenLogprob(order[r], tokenizer.decode(order[r]), logprobs[order[r]]));
        }
        return top;
    }

    static boolean endsWithStop(CharSequence text, List<String> stops) {
        for (String stop : stops) {
            if (!stop.isEmpty() && text.length() >= stop.length()
                    && text.subSequence(text.length() - stop.length(), text.length()).toString().equals(stop)) {
                return true;
            }
        }
        return false;
    }
}
