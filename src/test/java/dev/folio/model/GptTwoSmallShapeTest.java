package dev.folio.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.folio.engine.GradMode;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Correctness at the GPT-2-small shape (12 layers × 768, 12 heads, the character vocabulary), randomly initialised, with
 * a short context to keep it quick: the load-time check serves a path at this size, the served decoding step equals the
 * blocks' full forward pass at every position, and a sequence decoded in a batch equals it decoded alone, while the
 * batch's cache grows under it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GptTwoSmallShapeTest {

    private static final GptConfig CONFIG = new GptConfig(65, 32, 12, 12, 768, 0f, false);
    private static final int[] PROMPTS = {3, 11, 7}; // rows at different positions: the masked step

    private TestGpt fixture;
    private ScriptedInference served;
    private int[][] sequences;
    private float[][][] expected; // [sequence][position] logits of the full forward pass

    @BeforeAll
    void setUp() {
        fixture = new TestGpt(CONFIG, 27);
        try (GradMode ignored = GradMode.disabled()) {
            served = ScriptedInference.compile(fixture.gpt, fixture.manager);
            Random random = new Random(5);
            sequences = new int[PROMPTS.length][CONFIG.blockSize()];
            expected = new float[PROMPTS.length][][];
            for (int s = 0; s < PROMPTS.length; s++) {
                Arrays.setAll(sequences[s], i -> random.nextInt(CONFIG.vocabSize()));
                try (NDManager pass = fixture.manager.newSubManager()) {
                    NDArray full = fixture.gpt.logits(fixture.ps(), pass.create(sequences[s], new Shape(1, CONFIG.blockSize())), false).get(0);
                    expected[s] = new float[CONFIG.blockSize()][];
                    for (int t = 0; t < CONFIG.blockSize(); t++) {
                        expected[s][t] = full.get(t).toFloatArray();
                    }
                }
            }
        }
    }

    @AfterAll
    void tearDown() {
        served.close();
        fixture.close();
    }

    @Test
    void theLoadTimeCheckServesAPathAtThisSize() {
        assertThat(served.servingPath().verified()).as(served.servingPath().reason()).isTrue();
    }

    @Test
    void decodingInABatchEqualsTheFullForwardPassAndDecodingAlone() {
        try (GradMode ignored = GradMode.disabled(); NDManager pass = fixture.manager.newSubManager();
                SlotKvCache batch = new SlotKvCache(pass, CONFIG, PROMPTS.length)) {
            float[][][] alone = new float[PROMPTS.length][][];
            for (int s = 0; s < PROMPTS.length; s++) {
                alone[s] = decodeAlone(pass, s);
            }
            int[] positions = PROMPTS.clone();
            for (int s = 0; s < PROMPTS.length; s++) {
                batch.install(s, prefill(pass, s));
            }
            long firstBytes = batch.bytes();
            while (positions[0] < CONFIG.blockSize()) {
                int[] tokens = new int[PROMPTS.length];
                for (int s = 0; s < PROMPTS.length; s++) {
                    tokens[s] = sequences[s][positions[s]];
                }
                try (NDManager step = pass.newSubManager()) {
                    float[] logits = served.decode(step, tokens, positions, batch).toFloatArray();
                    for (int s = 0; s < PROMPTS.length; s++) {
                        float[] row = Arrays.copyOfRange(logits, s * CONFIG.vocabSize(), (s + 1) * CONFIG.vocabSize());
                        float[] full = expected[s][positions[s]];
                        float[] single = alone[s][positions[s]];
                        float bound = Tolerances.bound(full);
                        for (int v = 0; v < CONFIG.vocabSize(); v++) {
                            assertThat(Math.abs(row[v] - full[v])).as("row %d at %d against the full pass", s, positions[s]).isLessThanOrEqualTo(bound);
                            assertThat(Math.abs(row[v] - single[v])).as("row %d at %d against itself alone", s, positions[s]).isLessThanOrEqualTo(bound);
                        }
                    }
                }
                positions[0]++; // row 0 starts first and ends last
                for (int s = 1; s < PROMPTS.length; s++) {
                    positions[s] = Math.min(positions[s] + 1, CONFIG.blockSize() - 1); // at the end, a row repeats its last step (the same write)
                }
            }
            assertThat(batch.bytes()).as("the cache grew as the rows went on").isGreaterThan(firstBytes)
                    .isEqualTo(SlotKvCache.bytes(CONFIG, PROMPTS.length, CONFIG.blockSize()));
        }
    }

    private KvCache prefill(NDManager pass, int s) {
        return served.prefill(pass, pass.create(Arrays.copyOf(sequences[s], PROMPTS[s]), new Shape(1, PROMPTS[s])), KvCache.empty()).cache();
    }

    /** Sequence {@code s} decoded alone from its prompt to the end of the window: logits by position. */
    private float[][] decodeAlone(NDManager pass, int s) {
        float[][] logits = new float[CONFIG.blockSize()][];
        try (SlotKvCache one = new SlotKvCache(pass, CONFIG, 1)) {
            one.install(0, prefill(pass, s));
            for (int position = PROMPTS[s]; position < CONFIG.blockSize(); position++) {
                try (NDManager step = pass.newSubManager()) {
                    logits[position] = served.decode(step, new int[] {sequences[s][position]}, new int[] {position}, one).toFloatArray();
                }
            }
        }
        return logits;
    }
}
