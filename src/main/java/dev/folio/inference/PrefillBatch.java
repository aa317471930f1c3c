package dev.folio.inference;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.folio.model.Gpt;
import dev.folio.model.KvCache;
import dev.folio.store.LoadedModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Prefills several prompts in one forward pass, as TGI batches its prefills: the prompts are padded on the
 * right to the longest, and since attention is causal each row's real positions never see its padding,
 * so every row's logits and keys/values are those of its prompt alone.
 */
final class PrefillBatch {

    private PrefillBatch() {}

    /**
     * @param group sequences of one model whose prefill has not begun
     * @return for each, the last prompt position's logits (V)
     */
    static List<float[]> run(NDManager step, List<DecodingSequence> group) {
        int rows = group.size();
        int time = 0;
        for (DecodingSequence sequence : group) {
            time = Math.max(time, sequence.pendingLength());
        }
        int[] tokens = new int[rows * time]; // padding: token 0, never attended to by real positions
        for (int r = 0; r < rows; r++) {
            int[] input = group.get(r).pendingInput();
            System.arraycopy(input, 0, tokens, r * time, input.length);
        }
        LoadedModel model = group.get(0).model;
        Gpt.Step out = model.inference().prefill(step, step.create(tokens, new Shape(rows, time)), KvCache.empty());
        float[] logits = out.logits().toFloatArray(); // (rows·time·V)
        int vocab = model.gpt().config().vocabSize();
        List<float[]> last = new ArrayList<>(rows);
        for (int r = 0; r < rows; r++) {
            DecodingSequence sequence = group.get(r);
            int length = sequence.pendingLength();
            float[] own = Arrays.copyOfRange(logits, r * time * vocab, (r * time + length) * vocab);
            last.add(sequence.completePrefill(out.cache().row(r, length), own));
        }
        return last;
    }
}
