package dev.folio.inference;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.folio.engine.GradMode;
import dev.folio.model.KvCache;
import dev.folio.store.LoadedModel;
import java.util.Arrays;

/**
 * The model's raw view of a text: next-token logits at every position. Texts longer than the
 * context window are scored with a sliding window (window = blockSize, stride = blockSize/2), so every
 * position after the first window sees at least half a window of context, as in Hugging Face's
 * perplexity guide.
 */
public final class TextScorer {

    /**
     * @param logits per position, the V logits for the token that follows it
     * @param windowSize tokens per forward pass
     * @param stride tokens the window advances by
     * @param windows forward passes made
     */
    public record Scores(float[][] logits, int windowSize, int stride, int windows) {

        /** Mean negative log-likelihood of tokens 1..n-1 given what precedes them; NaN for a single token. */
        public double meanNll(int[] ids) {
            if (ids.length < 2) {
                return Double.NaN;
            }
            double total = 0;
            for (int t = 0; t + 1 < ids.length; t++) {
                total -= TokenSampler.logSoftmax(logits[t])[ids[t + 1]];
            }
            return total / (ids.length - 1);
        }
    }

    public Scores score(LoadedModel model, int[] ids) {
        int window = model.gpt().config().blockSize();
        int stride = Math.max(1, window / 2);
        int vocab = model.tokenizer().vocabSize();
        float[][] logits = new float[ids.length][];
        int scored = 0;
        int start = 0;
        int windows = 0;
        try (NDManager manager = model.model().getNDManager().newSubManager(); GradMode ignored = GradMode.disabled()) {
            while (scored < ids.length) {
                int end = Math.min(start + window, ids.length);
                try (NDManager pass = manager.newSubManager()) {
                    int[] chunk = Arrays.copyOfRange(ids, start, end);
                    float[] flat = model.inference().prefill(pass, pass.create(chunk, new Shape(1, chunk.length)), KvCache.empty())
                            .logits().toFloatArray(); // (1,T,V) flattened
                    for (int p = scored; p < end; p++) {
                        logits[p] = Arrays.copyOfRange(flat, (p - start) * vocab, (p - start + 1) * vocab);
                    }
                }
                windows++;
                scored = end;
                start = end - window + stride; // next window keeps window - stride tokens of context
                start = Math.max(0, Math.min(start, end));
            }
        }
        return new Scores(logits, window, stride, windows);
    }
}
