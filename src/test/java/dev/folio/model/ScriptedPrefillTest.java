package dev.folio.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.folio.engine.GradMode;
import dev.folio.model.ScriptedInference.WeightProducts;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ScriptedInference#prefill} against the DJL blocks' {@link Gpt#forward} with a cache, which the server used before,
 * to the load-time check's relative bound ({@link Tolerances}). oneDNN's products are held to it where the check would
 * serve them; where it refuses them (a CPU whose oneDNN kernels are wrong), those cases are skipped and say why.
 */
class ScriptedPrefillTest {

    private static GptConfig config(boolean bias) {
        return new GptConfig(13, 32, 2, 2, 16, 0f, bias);
    }

    private static int[] ids(long seed, int length) {
        Random random = new Random(seed);
        int[] ids = new int[length];
        for (int i = 0; i < length; i++) {
            ids[i] = random.nextInt(13);
        }
        return ids;
    }

    @ParameterizedTest
    @CsvSource({"true, ONEDNN_PACKED", "false, ONEDNN_PACKED", "true, LINEAR", "false, LINEAR"})
    void aPaddedBatchFromPositionZeroGivesTheBlocksLogitsAndCache(boolean bias, WeightProducts products) {
        try (TestGpt fixture = new TestGpt(config(bias), 5).withRandomBiases();
                GradMode ignored = GradMode.disabled()) {
            Tolerances.assumeServedHere(fixture.gpt, fixture.manager, products);
            try (ScriptedInference script = ScriptedInference.compile(fixture.gpt, fixture.manager, products)) {
                NDManager manager = fixture.manager;
                NDArray tokens = manager.create(ids(1, 3 * 9), new Shape(3, 9));
                Gpt.Step expected = fixture.gpt.forward(fixture.ps(), tokens, KvCache.empty());
                Gpt.Step actual = script.prefill(manager, tokens, KvCache.empty());
                assertClose(actual, expected, 9);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"true, ONEDNN_PACKED", "false, ONEDNN_PACKED", "true, LINEAR", "false, LINEAR"})
    void aChunkAfterACachedPrefixGivesTheBlocksLogitsAndCache(boolean bias, WeightProducts products) {
        try (TestGpt fixture = new TestGpt(config(bias), 6).withRandomBiases();
                GradMode ignored = GradMode.disabled()) {
            Tolerances.assumeServedHere(fixture.gpt, fixture.manager, products);
            try (ScriptedInference script = ScriptedInference.compile(fixture.gpt, fixture.manager, products)) {
                NDManager manager = fixture.manager;
                int[] ids = ids(2, 16);
                NDArray whole = manager.create(ids, new Shape(1, 16));
                KvCache prefix = script.prefill(manager, whole.get(":, :5"), KvCache.empty()).cache();
                Gpt.Step expected = fixture.gpt.forward(fixture.ps(), whole.get(":, 5:"), prefix);
                Gpt.Step actual = script.prefill(manager, whole.get(":, 5:"), prefix);
                assertClose(actual, expected, 16);
                // and the chunked logits are the whole sequence's at those positions
                float[] full = fixture.gpt.logits(fixture.ps(), whole, false).get(":, 5:").toFloatArray();
                assertMaxError(actual.logits().toFloatArray(), full);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 10})
    void tokensBeyondTheContextWindowAreRefused(int cached) {
        try (TestGpt fixture = new TestGpt(config(true), 7);
                ScriptedInference script = ScriptedInference.compile(fixture.gpt, fixture.manager);
                GradMode ignored = GradMode.disabled()) {
            NDManager manager = fixture.manager;
            KvCache past = cached == 0 ? KvCache.empty() : script.prefill(manager, manager.create(ids(3, cached), new Shape(1, cached)), KvCache.empty()).cache();
            NDArray tokens = manager.create(ids(4, 33 - cached), new Shape(1, 33 - cached));
            assertThatThrownBy(() -> script.prefill(manager, tokens, past))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("context window of 32");
        }
    }

    private static void assertClose(Gpt.Step actual, Gpt.Step expected, int length) {
        assertThat(actual.logits().getShape()).isEqualTo(expected.logits().getShape());
        assertMaxError(actual.logits().toFloatArray(), expected.logits().toFloatArray());
        assertThat(actual.cache().length()).isEqualTo(length);
        for (int layer = 0; layer < 2; layer++) {
            assertThat(actual.cache().keys(layer).getShape()).isEqualTo(expected.cache().keys(layer).getShape());
            assertMaxError(actual.cache().keys(layer).toFloatArray(), expected.cache().keys(layer).toFloatArray());
            assertMaxError(actual.cache().values(layer).toFloatArray(), expected.cache().values(layer).toFloatArray());
        }
    }

    private static void assertMaxError(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        float max = 0;
        for (int i = 0; i < actual.length; i++) {
            max = Math.max(max, Math.abs(actual[i] - expected[i]));
        }
        assertThat(max).isLessThanOrEqualTo(Tolerances.bound(expected));
    }
}
