package dev.folio.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import ai.djl.ndarray.NDManager;
import dev.folio.engine.GradMode;
import dev.folio.store.LoadedModel;
import dev.folio.store.TestModels;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DecodingSequenceTest {

    @TempDir
    Path root;
    private LoadedModel model;

    @BeforeEach
    void setUp() throws IOException {
        model = TestModels.publishAndLoad(root, 5);
    }

    @AfterEach
    void tearDown() {
        model.close();
    }

    /** The scheduler asks for "the rest" (Integer.MAX_VALUE) once a prompt begun in chunks is left alone. */
    @Test
    void aPrefillBegunInChunksFinishesWithTheRestAtOnceAndMatchesOnePass() {
        int[] prompt = DecodingRules.encodePrompt(model, "the quick brown fox jumps over the lazy dog", null);
        try (GradMode ignored = GradMode.disabled(); NDManager manager = NDManager.newBaseManager()) {
            float[] chunked = prefill(manager, prompt, 5);
            float[] whole = prefill(manager, prompt, Integer.MAX_VALUE);
            assertThat(chunked).hasSameSizeAs(whole);
            for (int v = 0; v < whole.length; v++) {
                assertThat(chunked[v]).isCloseTo(whole[v], offset(1e-4f));
            }
        }
    }

    /** First {@code firstChunk} tokens, then the rest in one call; the last position's logits. */
    private float[] prefill(NDManager manager, int[] prompt, int firstChunk) {
        DecodingSequence sequence = new DecodingSequence(model, GenerationRequest.of(prompt, SamplingParameters.greedy(1)), GenerationListener.NONE);
        sequence.start(manager, () -> {});
        float[] last;
        try (NDManager step = manager.newSubManager()) {
            last = sequence.prefillChunk(step, firstChunk);
        }
        if (last == null) {
            try (NDManager step = manager.newSubManager()) {
                last = sequence.prefillChunk(step, Integer.MAX_VALUE);
            }
        }
        assertThat(last).isNotNull();
        return last;
    }
}
