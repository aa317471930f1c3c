package dev.folio.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.folio.engine.GradMode;
import dev.folio.model.ScriptedInference.WeightProducts;
import dev.folio.store.LoadedModel;
import dev.folio.store.ModelStore;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The TorchScript decoding step of the bundled (trained, bias-free) model, on the path the load-time check serves, against its full forward pass. */
class ScriptedInferenceTest {

    @Test
    void bundledModelDecodesAsItsFullForwardPass() throws Exception {
        try (LoadedModel model = new ModelStore(Path.of("model-store")).loadCurrent("shakespeare-char");
                GradMode ignored = GradMode.disabled(); NDManager manager = NDManager.newBaseManager();
                SlotKvCache slots = new SlotKvCache(manager, model.gpt().config(), 1)) {
            int[] ids = model.tokenizer().encode("ROMEO:\nBut soft, what light through yonder window breaks?\nIt is the east.");
            int prompt = 6;
            ParameterStore ps = new ParameterStore(manager, false);
            float[][] expected = new float[ids.length][];
            NDArray full = model.gpt().logits(ps, manager.create(ids, new Shape(1, ids.length)), false).get(0); // (T,V)
            for (int t = 0; t < ids.length; t++) {
                expected[t] = full.get(t).toFloatArray();
            }
            slots.install(0, model.gpt().forward(ps, manager.create(Arrays.copyOf(ids, prompt), new Shape(1, prompt)), KvCache.empty()).cache());
            float worst = 0;
            float bound = Tolerances.bound(expected);
            for (int position = prompt; position < ids.length; position++) {
                try (NDManager step = manager.newSubManager()) {
                    float[] logits = model.inference().decode(step, new int[] {ids[position]}, new int[] {position}, slots).toFloatArray();
                    assertThat(logits).hasSize(model.gpt().config().vocabSize());
                    for (int v = 0; v < logits.length; v++) {
                        worst = Math.max(worst, Math.abs(logits[v] - expected[position][v]));
                    }
                }
            }
            assertThat(worst).as("largest difference from the full pass's logits (%s)", model.inference().servingPath().reason())
                    .isLessThanOrEqualTo(bound);
        }
    }

    @Test
    void theServedProductsAreTheFirstThatAgreeAndLinearWhenAsked() throws Exception {
        try (LoadedModel model = new ModelStore(Path.of("model-store")).loadCurrent("shakespeare-char")) {
            ServingPath path = model.inference().servingPath();
            assertThat(path.verified()).isTrue();
            assertThat(path.candidates().get(0).products()).as("the fastest is tried first").isEqualTo(WeightProducts.ONEDNN_PACKED);
            ServingPath.Candidate served = path.candidates().get(path.candidates().size() - 1);
            assertThat(served.agrees()).isTrue();
            assertThat(served.products()).isEqualTo(model.inference().products()).isEqualTo(path.products());
            assertThat(path.candidates().subList(0, path.candidates().size() - 1)).allSatisfy(refused -> assertThat(refused.agrees()).isFalse());
            System.setProperty(ScriptedInference.PRODUCTS_PROPERTY, "linear");
            try (ScriptedInference linear = ScriptedInference.compile(model.gpt(), model.model().getNDManager())) {
                assertThat(linear.products()).isEqualTo(WeightProducts.LINEAR);
                assertThat(linear.servingPath().candidates()).extracting(ServingPath.Candidate::products).containsExactly(WeightProducts.LINEAR);
            } finally {
                System.clearProperty(ScriptedInference.PRODUCTS_PROPERTY);
            }
        }
    }
}
