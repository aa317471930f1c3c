package dev.folio.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.folio.engine.GradMode;
import dev.folio.model.Gpt;
import dev.folio.model.GptConfig;
import dev.folio.store.BundledStore;
import dev.folio.store.LoadedModel;
import dev.folio.store.ModelStore;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The named forward pass against the blocks, and the properties of its intermediates, on the bundled model. */
class HookedGptTest {

    private static final String TEXT = "ROMEO:\nBut soft, what light through yonder window breaks?";

    private static LoadedModel model;
    private static Inspector inspector;
    private static int[] tokens;

    @BeforeAll
    static void load() throws Exception {
        model = new ModelStore(BundledStore.copy()).loadCurrent(BundledStore.MODEL);
        inspector = new Inspector(model.gpt(), model.model().getNDManager());
        tokens = model.tokenizer().encode(TEXT);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void itsLogitsAreTheBlocks() {
        float[][] hooked = inspector.run(tokens, List.of(), Interventions.NONE).logits();
        float[][] blocks = blockLogits(model.gpt(), tokens);
        for (int t = 0; t < tokens.length; t++) {
            assertThat(hooked[t]).as("position %d", t).containsExactly(blocks[t], org.assertj.core.data.Offset.offset(1e-4f));
        }
    }

    @Test
    void attentionRowsSumToOneAndAreZeroAboveTheDiagonal() {
        Map<String, Tensor> run = inspector.run(tokens, inspector.names().select(List.of("blocks.*.attn.hook_pattern")), Interventions.NONE).tensors();
        assertThat(run).hasSize(model.gpt().config().nLayer());
        int time = tokens.length;
        for (Tensor pattern : run.values()) {
            for (int h = 0; h < pattern.shape()[0]; h++) {
                for (int q = 0; q < time; q++) {
                    double sum = 0;
                    for (int k = 0; k < time; k++) {
                        float value = pattern.values()[(h * time + q) * time + k];
                        if (k > q) {
                            assertThat(value).as("head %d query %d key %d", h, q, k).isZero();
                        }
                        sum += value;
                    }
                    assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
                }
            }
        }
    }

    /** Variance 1 up to LayerNorm's ε: exactly std² / (std² + ε), which is within 1% of 1 for any token of a trained model. */
    @Test
    void normalizedHasMeanZeroAndVarianceOnePerToken() {
        List<String> hooks = inspector.names().select(List.of("*.hook_normalized", "*.hook_std"));
        Map<String, Tensor> run = inspector.run(tokens, hooks, Interventions.NONE).tensors();
        assertThat(run).hasSize(2 * (2 * model.gpt().config().nLayer() + 1));
        int width = model.gpt().config().nEmbd();
        for (Map.Entry<String, Tensor> entry : run.entrySet()) {
            if (!entry.getKey().endsWith("hook_normalized")) {
                continue;
            }
            float[] std = run.get(entry.getKey().replace("hook_normalized", "hook_std")).values();
            for (int t = 0; t < tokens.length; t++) {
                double mean = 0;
                double square = 0;
                for (int c = 0; c < width; c++) {
                    float value = entry.getValue().values()[t * width + c];
                    mean += value;
                    square += value * value;
                }
                mean /= width;
                double variance = square / width - mean * mean;
                double expected = std[t] * std[t] / (std[t] * std[t] + HookedGpt.LAYER_NORM_EPS);
                assertThat(mean).as("%s at %d", entry.getKey(), t).isCloseTo(0, org.assertj.core.data.Offset.offset(1e-5));
                assertThat(variance).as("%s at %d", entry.getKey(), t).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-4))
                        .isCloseTo(1, org.assertj.core.data.Offset.offset(1e-2));
            }
        }
    }

    @Test
    void theResidualContributionsSumToTheFinalResidual() {
        GptConfig config = model.gpt().config();
        int last = config.nLayer() - 1;
        List<String> hooks = new ArrayList<>(List.of("hook_embed", "hook_pos_embed", "blocks." + last + ".hook_resid_post"));
        for (int layer = 0; layer < config.nLayer(); layer++) {
            hooks.addAll(List.of("blocks." + layer + ".hook_attn_out", "blocks." + layer + ".hook_mlp_out", "blocks." + layer + ".attn.hook_result"));
        }
        Map<String, Tensor> run = inspector.run(tokens, hooks, Interventions.NONE).tensors();
        float[] sum = run.get("hook_embed").values().clone();
        add(sum, run.get("hook_pos_embed").values());
        for (int layer = 0; layer < config.nLayer(); layer++) {
            add(sum, run.get("blocks." + layer + ".hook_attn_out").values());
            add(sum, run.get("blocks." + layer + ".hook_mlp_out").values());
            float[] heads = new float[sum.length]; // (T,H,C) summed over H
            float[] result = run.get("blocks." + layer + ".attn.hook_result").values();
            for (int t = 0; t < tokens.length; t++) {
                for (int h = 0; h < config.nHead(); h++) {
                    for (int c = 0; c < config.nEmbd(); c++) {
                        heads[t * config.nEmbd() + c] += result[(t * config.nHead() + h) * config.nEmbd() + c];
                    }
                }
            }
            assertThat(heads).as("heads' results of layer %d", layer)
                    .containsExactly(run.get("blocks." + layer + ".hook_attn_out").values(), org.assertj.core.data.Offset.offset(1e-4f));
        }
        assertThat(sum).containsExactly(run.get("blocks." + last + ".hook_resid_post").values(), org.assertj.core.data.Offset.offset(1e-3f));
    }

    private static void add(float[] into, float[] values) {
        for (int i = 0; i < into.length; i++) {
            into[i] += values[i];
        }
    }

    /** The blocks' own forward (Gpt.logits), the reference. */
    static float[][] blockLogits(Gpt gpt, int[] tokens) {
        try (NDManager manager = gpt.getParameters().valueAt(0).getArray().getManager().newSubManager(); GradMode ignored = GradMode.disabled()) {
            NDArray logits = gpt.logits(new ParameterStore(manager, false), manager.create(tokens, new Shape(1, tokens.length)), false);
            return Inspector.rows(logits.reshape(tokens.length, gpt.config().vocabSize()));
        }
    }

    /** A separate DJL model with {@code gpt}'s weights, where {@code change} may edit them (the served weights stay as they are). */
    static Model copyOf(Gpt gpt, java.util.function.Consumer<Gpt> change) {
        Model copy = Model.newInstance("copy");
        Gpt blocks = new Gpt(gpt.config());
        copy.setBlock(blocks);
        try (GradMode ignored = GradMode.disabled()) {
            blocks.initialize(copy.getNDManager());
            Iterator<Pair<String, Parameter>> source = gpt.getParameters().iterator();
            for (Pair<String, Parameter> target : blocks.getParameters()) {
                target.getValue().getArray().set(new NDIndex("..."), source.next().getValue().getArray());
            }
        }
        change.accept(blocks);
        return copy;
    }
}
