package dev.folio.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.folio.engine.GradMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The batched decoding steps over slot caches (the DJL blocks' step, {@link BlocksDecode}, and the TorchScript
 * {@link ScriptedInference} with the products the load-time check serves on this CPU and with libtorch's linear)
 * against the plain full forward pass, sequence by sequence, to the check's relative bound ({@link Tolerances}).
 */
class BatchedDecodeTest {

    private static final GptConfig CONFIG = new GptConfig(11, 64, 2, 2, 16, 0f, true);

    /** One decoding step: logits (B,V) for B sequences in slots [0, B). */
    private interface Step {
        NDArray decode(NDManager step, int[] tokens, int[] positions, SlotKvCache slots);
    }

    private TestGpt fixture;
    private Gpt gpt;
    private NDManager manager;
    private ScriptedInference script;
    private ScriptedInference linearScript;

    @BeforeEach
    void setUp() {
        fixture = new TestGpt(CONFIG, 11).withRandomBiases();
        gpt = fixture.gpt;
        manager = fixture.manager;
        script = ScriptedInference.compile(gpt, manager);
        linearScript = ScriptedInference.compile(gpt, manager, ScriptedInference.WeightProducts.LINEAR);
    }

    @AfterEach
    void tearDown() {
        script.close();
        linearScript.close();
        fixture.close();
    }

    private Step step(String implementation) {
        return switch (implementation) {
            case "blocks" -> (step, tokens, positions, slots) -> BlocksDecode.decode(gpt, ps(), step, tokens, positions, slots);
            case "script" -> script::decode;
            case "script-linear" -> linearScript::decode;
            default -> throw new IllegalArgumentException(implementation);
        };
    }

    /** A sequence with its expected logits at every position, from one full pass over it alone. */
    private final class Sequence {
        final int[] ids;
        final float[][] expected;
        int position;

        Sequence(long seed, int prompt) {
            Random random = new Random(seed);
            ids = new int[CONFIG.blockSize()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = random.nextInt(CONFIG.vocabSize());
            }
            NDArray full = gpt.logits(ps(), manager.create(ids, new Shape(1, ids.length)), false).get(0); // (T,V)
            expected = new float[ids.length][];
            for (int t = 0; t < ids.length; t++) {
                expected[t] = full.get(t).toFloatArray();
            }
            position = prompt;
        }

        KvCache prefill() {
            return gpt.forward(ps(), manager.create(Arrays.copyOf(ids, position), new Shape(1, position)), KvCache.empty()).cache();
        }
    }

    private ParameterStore ps() {
        return fixture.ps();
    }

    @ParameterizedTest
    @ValueSource(strings = {"blocks", "script", "script-linear"})
    void sequencesAtDifferentPositionsDecodedTogetherMatchEachAloneAndSurviveSlotMoves(String implementation) {
        Step decoder = step(implementation);
        try (GradMode ignored = GradMode.disabled(); SlotKvCache slots = new SlotKvCache(manager, CONFIG, 4)) {
            List<Sequence> active = new ArrayList<>(List.of(new Sequence(1, 5), new Sequence(2, 40), new Sequence(3, 1)));
            for (int slot = 0; slot < active.size(); slot++) {
                slots.install(slot, active.get(slot).prefill());
            }
            int steps = 0;
            while (!active.isEmpty()) {
                int[] tokens = new int[active.size()];
                int[] positions = new int[active.size()];
                for (int b = 0; b < active.size(); b++) {
                    tokens[b] = active.get(b).ids[active.get(b).position];
                    positions[b] = active.get(b).position;
                }
                float[][] rows;
                try (NDManager step = manager.newSubManager()) {
                    NDArray logits = decoder.decode(step, tokens, positions, slots);
                    assertThat(logits.getShape()).isEqualTo(new Shape(active.size(), CONFIG.vocabSize()));
                    rows = new float[active.size()][];
                    for (int b = 0; b < rows.length; b++) {
                        rows[b] = logits.get(b).toFloatArray();
                    }
                }
                for (int b = 0; b < active.size(); b++) {
                    Sequence s = active.get(b);
                    float bound = Tolerances.bound(s.expected[s.position]);
                    for (int v = 0; v < CONFIG.vocabSize(); v++) {
                        float error = Math.abs(rows[b][v] - s.expected[s.position][v]);
                        assertThat(error).as("row %d (batch of %d), position %d", b, active.size(), s.position).isLessThanOrEqualTo(bound);
                    }
                    s.position++;
                }
                for (int b = active.size() - 1; b >= 0; b--) { // a finished sequence leaves; the last one takes its slot
                    if (active.get(b).position == CONFIG.blockSize()) {
                        int last = active.size() - 1;
                        slots.move(last, b, active.get(last).position);
                        active.set(b, active.get(last));
                        active.remove(last);
                    }
                }
                steps++;
            }
            assertThat(steps).as("the sequence that started at position 1 runs to the end").isEqualTo(CONFIG.blockSize() - 1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"blocks", "script", "script-linear"})
    void sequencesStartedTogetherStayAlignedAndMatchEachAlone(String implementation) {
        Step decoder = step(implementation);
        try (GradMode ignored = GradMode.disabled(); SlotKvCache slots = new SlotKvCache(manager, CONFIG, 3)) {
            List<Sequence> rows = List.of(new Sequence(4, 7), new Sequence(5, 7), new Sequence(6, 7));
            for (int slot = 0; slot < rows.size(); slot++) {
                slots.install(slot, rows.get(slot).prefill());
            }
            for (int position = 7; position < CONFIG.blockSize(); position++) {
                int[] tokens = new int[rows.size()];
                int[] positions = new int[rows.size()];
                for (int b = 0; b < rows.size(); b++) {
                    tokens[b] = rows.get(b).ids[position];
                    positions[b] = position;
                }
                try (NDManager step = manager.newSubManager()) {
                    NDArray logits = decoder.decode(step, tokens, positions, slots);
                    for (int b = 0; b < rows.size(); b++) {
                        float[] row = logits.get(b).toFloatArray();
                        float bound = Tolerances.bound(rows.get(b).expected[position]);
                        for (int v = 0; v < CONFIG.vocabSize(); v++) {
                            assertThat(Math.abs(row[v] - rows.get(b).expected[position][v])).as("row %d, position %d", b, position).isLessThanOrEqualTo(bound);
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"blocks", "script", "script-linear"})
    void refusesPositionsOutsideTheWindowAndMoreSequencesThanSlots(String implementation) {
        Step decoder = step(implementation);
        try (GradMode ignored = GradMode.disabled(); SlotKvCache slots = new SlotKvCache(manager, CONFIG, 2);
                NDManager step = manager.newSubManager()) {
            assertThatThrownBy(() -> decoder.decode(step, new int[] {1}, new int[] {CONFIG.blockSize()}, slots))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("context window");
            assertThatThrownBy(() -> decoder.decode(step, new int[] {1, 2, 3}, new int[] {0, 0, 0}, slots))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
