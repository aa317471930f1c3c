package dev.folio.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.loss.Loss;
import ai.djl.util.Pair;
import dev.folio.engine.GradMode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link Gpt#scriptedLogits}, what training runs, against the DJL blocks' {@link Gpt#logits}: logits and every gradient. */
class ScriptedTrainingForwardTest {

    private static final float TOLERANCE = 1e-5f;
    private static final int VOCABULARY = 13;

    private static GptConfig config(float dropout, boolean bias) {
        return new GptConfig(VOCABULARY, 32, 2, 2, 16, dropout, bias);
    }

    private static NDArray ids(TestGpt fixture, long seed, int batch, int time) {
        Random random = new Random(seed);
        int[] ids = new int[batch * time];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = random.nextInt(VOCABULARY);
        }
        return fixture.manager.create(ids, new Shape(batch, time));
    }

    @ParameterizedTest(name = "dropout {0}, biases {1}")
    @CsvSource({"0, false", "0, true", "0.3, false", "0.3, true"})
    void aTrainingStepGivesTheBlocksLossAndGradients(float dropout, boolean bias) {
        try (TestGpt fixture = new TestGpt(config(dropout, bias), 7).withRandomBiases()) {
            NDArray x = ids(fixture, 1, 3, 20);
            NDArray y = ids(fixture, 2, 3, 20).reshape(-1);
            // the same seed before each pass: dropout then draws the same masks if the script draws in the blocks' order
            Step blocks = step(fixture, x, y, tokens -> fixture.gpt.logits(fixture.ps(), tokens, true));
            Step scripted = step(fixture, x, y, tokens -> fixture.gpt.scriptedLogits(tokens, true));
            assertThat(scripted.loss).isCloseTo(blocks.loss, org.assertj.core.data.Offset.offset(TOLERANCE));
            assertThat(scripted.gradients.keySet()).isEqualTo(blocks.gradients.keySet());
            assertThat(blocks.gradients).hasSize(bias ? 2 + 6 * 2 * 2 + 2 : 2 + 6 * 2 + 1); // what requires a gradient
            for (String name : blocks.gradients.keySet()) {
                float[] expected = blocks.gradients.get(name);
                float[] actual = scripted.gradients.get(name);
                assertThat(maxAbs(expected)).as(name).isGreaterThan(0f);
                assertThat(maxError(actual, expected)).as(name).isLessThan(TOLERANCE);
            }
        }
    }

    @Test
    void dropoutChangesTheTrainingPassOnlyAndIsOffInEvaluation() {
        try (TestGpt fixture = new TestGpt(config(0.3f, false), 8);
                GradMode ignored = GradMode.disabled()) {
            NDArray x = ids(fixture, 3, 2, 24);
            float[] evaluation = fixture.gpt.scriptedLogits(x, false).toFloatArray();
            assertThat(maxError(evaluation, fixture.gpt.logits(fixture.ps(), x, false).toFloatArray())).isLessThan(TOLERANCE);
            assertThat(maxError(fixture.gpt.scriptedLogits(x, false).toFloatArray(), evaluation)).isZero(); // no randomness
            assertThat(maxError(fixture.gpt.scriptedLogits(x, true).toFloatArray(), evaluation)).isGreaterThan(1e-3f);
        }
    }

    @Test
    void refusesASequenceLongerThanTheWindow() {
        try (TestGpt fixture = new TestGpt(config(0f, false), 9)) {
            assertThatThrownBy(() -> fixture.gpt.scriptedLogits(ids(fixture, 4, 1, 33), false))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("context window of 32");
        }
    }

    private record Step(float loss, Map<String, float[]> gradients) {}

    private static Step step(TestGpt fixture, NDArray x, NDArray y, Function<NDArray, NDArray> forward) {
        Engine.getInstance().setRandomSeed(42);
        float loss;
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray logits = forward.apply(x).reshape(-1, VOCABULARY);
            NDArray value = Loss.softmaxCrossEntropyLoss().evaluate(new NDList(y), new NDList(logits));
            collector.backward(value);
            loss = value.getFloat();
        }
        Map<String, float[]> gradients = new LinkedHashMap<>();
        for (Pair<String, Parameter> parameter : fixture.gpt.getParameters()) {
            if (parameter.getValue().requiresGradient()) {
                NDArray gradient = parameter.getValue().getArray().getGradient();
                gradient.attach(fixture.manager);
                gradients.put(parameter.getKey(), gradient.toFloatArray());
                gradient.muli(0); // gradients accumulate: clear them for the other pass
            }
        }
        return new Step(loss, gradients);
    }

    private static float maxAbs(float[] values) {
        float max = 0;
        for (float value : values) {
            max = Math.max(max, Math.abs(value));
        }
        return max;
    }

    private static float maxError(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        float max = 0;
        for (int i = 0; i < actual.length; i++) {
            max = Math.max(max, Math.abs(actual[i] - expected[i]));
        }
        return max;
    }
}
