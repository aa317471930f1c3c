package dev.folio.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import ai.djl.util.Pair;
import dev.folio.engine.GradMode;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GptTest {

    private static final GptConfig CONFIG = new GptConfig(11, 128, 2, 2, 16, 0f, true);

    private TestGpt fixture;
    private Gpt gpt;
    private NDManager manager;

    @BeforeEach
    void setUp() {
        fixture = new TestGpt(CONFIG, 7);
        gpt = fixture.gpt;
        manager = fixture.manager;
    }

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    private NDArray tokens(int batch, int time, long seed) {
        Random random = new Random(seed);
        int[] ids = new int[batch * time];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = random.nextInt(CONFIG.vocabSize());
        }
        return manager.create(ids, new Shape(batch, time));
    }

    private ParameterStore ps() {
        return fixture.ps();
    }

    @Test
    void logitsAndCachesHaveTheDocumentedShapes() {
        try (GradMode ignored = GradMode.disabled()) {
            NDList out = gpt.forward(ps(), new NDList(tokens(3, 10, 1)), false);
            assertThat(out.get(0).getShape()).isEqualTo(new Shape(3, 10, CONFIG.vocabSize()));
            assertThat(out).hasSize(1 + 2 * CONFIG.nLayer());
            assertThat(out.get(1).getShape()).isEqualTo(new Shape(3, CONFIG.nHead(), 10, CONFIG.headDim()));
        }
    }

    @Test
    void aLaterTokenNeverChangesAnEarlierPositionsLogits() {
        try (GradMode ignored = GradMode.disabled()) {
            int time = 24;
            int changed = 15;
            int[] ids = tokens(1, time, 2).toIntArray();
            int[] edited = ids.clone();
            edited[changed] = (ids[changed] + 1) % CONFIG.vocabSize();
            NDArray before = gpt.logits(ps(), manager.create(ids, new Shape(1, time)), false);
            NDArray after = gpt.logits(ps(), manager.create(edited, new Shape(1, time)), false);
            NDArray difference = before.sub(after).abs().max(new int[] {2}).get(0); // (T): largest change per position
            float[] perPosition = difference.toFloatArray();
            for (int t = 0; t < changed; t++) {
                assertThat(perPosition[t]).as("position %d", t).isZero();
            }
            assertThat(perPosition[changed]).as("the edited position itself").isGreaterThan(1e-4f);
        }
    }

    @Test
    void kvCacheDecodingMatchesAFullForwardPassOver100Steps() {
        try (GradMode ignored = GradMode.disabled()) {
            int prompt = 5;
            int steps = 100;
            int[] ids = tokens(1, prompt + steps, 3).toIntArray();
            NDArray full = gpt.logits(ps(), manager.create(ids, new Shape(1, ids.length)), false); // (1,T,V)

            Gpt.Step step = gpt.forward(ps(), manager.create(java.util.Arrays.copyOf(ids, prompt), new Shape(1, prompt)), KvCache.empty());
            assertThat(step.logits().sub(full.get(":, 0:" + prompt)).abs().max().getFloat()).isLessThan(1e-4f);
            for (int t = prompt; t < ids.length; t++) {
                step = gpt.forward(ps(), manager.create(new int[] {ids[t]}, new Shape(1, 1)), step.cache());
                assertThat(step.cache().length()).isEqualTo(t + 1);
                float error = step.logits().get(0, 0).sub(full.get(0, t)).abs().max().getFloat();
                assertThat(error).as("position %d", t).isLessThan(1e-4f);
            }
        }
    }

    @Test
    void refusesSequencesLongerThanTheContextWindow() {
        try (GradMode ignored = GradMode.disabled()) {
            assertThatThrownBy(() -> gpt.logits(ps(), tokens(1, CONFIG.blockSize() + 1, 4), false))
                    .hasMessageContaining("exceeds the context window of " + CONFIG.blockSize());
        }
    }

    @Test
    void everyParameterReceivesANonZeroGradient() {
        NDArray x = tokens(2, 12, 5);
        NDArray y = tokens(2, 12, 6);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray logits = gpt.logits(ps(), x, true).reshape(-1, CONFIG.vocabSize());
            collector.backward(Loss.softmaxCrossEntropyLoss().evaluate(new NDList(y.reshape(-1)), new NDList(logits)));
        }
        for (Pair<String, Parameter> parameter : gpt.getParameters()) {
            NDArray gradient = parameter.getValue().getArray().getGradient();
            gradient.attach(manager);
            assertThat(gradient.abs().sum().getFloat()).as(parameter.getKey()).isGreaterThan(0f);
        }
    }

    @Test
    void theOutputProjectionIsTheTokenEmbedding() {
        assertThat(gpt.getParameters().values().stream().filter(p -> p.getArray().getShape().equals(new Shape(CONFIG.vocabSize(), CONFIG.nEmbd()))))
                .as("one (V,C) tensor in the whole model").hasSize(1);
        long counted = gpt.getParameters().values().stream().mapToLong(p -> p.getArray().size()).sum();
        assertThat(counted).isEqualTo(CONFIG.parameterCount());
        // Zeroing the one (V,C) tensor must zero the logits: the head reads it.
        param("wte").muli(0);
        try (GradMode ignored = GradMode.disabled()) {
            assertThat(gpt.logits(ps(), tokens(1, 4, 8), false).abs().max().getFloat()).isZero();
        }
    }

    @Test
    void followsNanoGptInitialisation() {
        NDArray wte = param("wte");
        assertThat(wte.mean().getFloat()).isBetween(-0.002f, 0.002f);
        assertThat(std(wte)).isBetween(0.018f, 0.022f);
        // residual projections: std 0.02/sqrt(2·nLayer)
        NDArray residual = param("h0_mlp_c_proj_weight");
        assertThat(std(residual)).isBetween(0.8f * 0.01f, 1.2f * 0.01f);
        assertThat(param("h0_attn_c_attn_bias").abs().sum().getFloat()).isZero();
        assertThat(param("ln_f_gamma").sub(1).abs().sum().getFloat()).isZero();
    }

    /** A parameter by its path without DJL's two-digit child-order prefixes ("03h0_04mlp_…" → "h0_mlp_…"). */
    private NDArray param(String path) {
        return gpt.getParameters().stream()
                .filter(p -> p.getKey().replaceAll("(^|_)\\d\\d", "$1").equals(path))
                .findFirst().orElseThrow(() -> new AssertionError("no parameter " + path)).getValue().getArray();
    }

    private static float std(NDArray array) {
        return array.sub(array.mean()).square().mean().sqrt().getFloat();
    }

    @Test
    void configRejectsIndivisibleWidths() {
        assertThatThrownBy(() -> new GptConfig(65, 64, 2, 3, 16, 0f, false)).hasMessageContaining("divisible");
        assertThatThrownBy(() -> new GptConfig(65, 0, 2, 2, 16, 0f, false)).hasMessageContaining("blockSize");
    }
}
