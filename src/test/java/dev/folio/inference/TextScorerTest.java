package dev.folio.inference;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.folio.engine.GradMode;
import dev.folio.store.LoadedModel;
import dev.folio.store.TestModels;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /logits' scores against the DJL blocks' full forward pass over the same windows. */
class TextScorerTest {

    @TempDir
    Path root;

    @Test
    void aTextLongerThanTheWindowIsScoredWindowByWindowAsTheFullForwardScoresEach() throws Exception {
        try (LoadedModel model = TestModels.publishAndLoad(root, 91); GradMode ignored = GradMode.disabled();
                NDManager manager = model.model().getNDManager().newSubManager()) {
            int window = model.gpt().config().blockSize(); // 32: windows [0,32), [16,48), [32,50)
            int[] ids = new Random(3).ints(50, 0, model.tokenizer().vocabSize()).toArray();
            TextScorer.Scores scores = new TextScorer().score(model, ids);
            assertThat(scores.windows()).isEqualTo(3);
            int[][] windows = {{0, 32}, {16, 48}, {32, 50}};
            int[][] scoredBy = {{0, 32}, {32, 48}, {48, 50}}; // the positions each window is the first to reach
            float max = 0;
            for (int w = 0; w < windows.length; w++) {
                int[] chunk = Arrays.copyOfRange(ids, windows[w][0], windows[w][1]);
                NDArray expected = model.gpt().logits(new ParameterStore(manager, false), manager.create(chunk, new Shape(1, chunk.length)), false).get(0);
                for (int p = scoredBy[w][0]; p < scoredBy[w][1]; p++) {
                    float[] row = expected.get(p - windows[w][0]).toFloatArray();
                    for (int v = 0; v < row.length; v++) {
                        max = Math.max(max, Math.abs(row[v] - scores.logits()[p][v]));
                    }
                }
            }
            assertThat(window).isEqualTo(32);
            assertThat(max).isLessThan(1e-4f);
        }
    }
}
