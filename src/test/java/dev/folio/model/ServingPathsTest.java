package dev.folio.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.folio.model.ScriptedInference.WeightProducts;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The load-time check refuses a path whose logits are wrong and serves the next that agrees, and refuses the model
 * when none does. The wrong paths are made here on purpose, on every CPU: two layers' MLP matrices exchanged, which
 * keeps every shape and so runs without error, as a kernel that reads the wrong blocks would.
 */
class ServingPathsTest {

    private static final GptConfig CONFIG = new GptConfig(17, 48, 2, 2, 32, 0f, true);
    /** Layer 0's and layer 1's c_fc in the packed list. */
    private static final int[] PACKED_C_FC = {GptWeights.packedIndex(0, GptWeights.Part.C_FC), GptWeights.packedIndex(1, GptWeights.Part.C_FC)};
    /** The same in the weight list. */
    private static final int[] WEIGHT_C_FC = {GptWeights.index(0, GptWeights.Part.C_FC), GptWeights.index(1, GptWeights.Part.C_FC)};

    @Test
    void bothPathsAgreeOnAnIntactModelAndTheFasterServes() {
        try (TestGpt fixture = new TestGpt(CONFIG, 3).withRandomBiases();
                ScriptedInference served = ServingPaths.choose(fixture.gpt, fixture.manager)) {
            ServingPath path = served.servingPath();
            assertThat(path.verified()).isTrue();
            assertThat(path.candidates()).last().satisfies(c -> {
                assertThat(c.agrees()).isTrue();
                assertThat(c.relativeError()).isBetween(0.0, ServingPathCheck.TOLERANCE);
            });
            try (ScriptedInference linear = ServingPaths.choose(fixture.gpt, fixture.manager, List.of(WeightProducts.LINEAR))) {
                assertThat(linear.servingPath().candidates().get(0).agrees()).as("libtorch's linear, checked alone").isTrue();
            }
        }
    }

    @Test
    void aPackedLayoutBrokenOnPurposeIsRefusedAndLinearServes() {
        try (TestGpt fixture = new TestGpt(CONFIG, 4).withRandomBiases();
                ScriptedInference served = ServingPaths.choose(fixture.gpt, fixture.manager,
                        List.of(WeightProducts.ONEDNN_PACKED, WeightProducts.LINEAR), products -> broken(fixture, products, WeightProducts.ONEDNN_PACKED))) {
            ServingPath path = served.servingPath();
            Assumptions.assumeTrue(path.candidates().get(0).worstPass() != null, "libtorch cannot run oneDNN's products here");
            assertThat(served.products()).isEqualTo(WeightProducts.LINEAR);
            ServingPath.Candidate refused = path.candidates().get(0);
            assertThat(refused.agrees()).isFalse();
            assertThat(refused.relativeError()).isGreaterThan(10 * ServingPathCheck.TOLERANCE);
            assertThat(path.reason()).contains("onednn_packed refused").contains("off the float64 reference");
        }
    }

    @Test
    void noPathThatAgreesMeansTheModelIsNotServed() {
        try (TestGpt fixture = new TestGpt(CONFIG, 5)) {
            assertThatThrownBy(() -> ServingPaths.choose(fixture.gpt, fixture.manager, List.of(WeightProducts.LINEAR),
                    products -> broken(fixture, products, WeightProducts.LINEAR)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("no serving path agrees");
        }
    }

    /** {@code products}' passes, with layer 0's and layer 1's c_fc exchanged if they are {@code breaking}. */
    private static ScriptedInference broken(TestGpt fixture, WeightProducts products, WeightProducts breaking) {
        ScriptedInference inference = ScriptedInference.compile(fixture.gpt, fixture.manager, products);
        if (inference.products() == breaking) {
            int[] pair = breaking == WeightProducts.ONEDNN_PACKED ? PACKED_C_FC : WEIGHT_C_FC;
            inference.exchangeMatrices(pair[0], pair[1], fixture.manager);
        }
        return inference;
    }
}
