package dev.folio.model;

import dev.folio.model.ScriptedInference.WeightProducts;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * The tests' bound for a float32 pass against another evaluation of the same model: the load-time check's
 * ({@link ServingPathCheck#TOLERANCE}), relative to the logits' magnitude, for the reason given there. Against the
 * float32 blocks rather than float64 it holds too: both sides are ~10⁻⁶ of the magnitude from float64.
 */
final class Tolerances {

    private Tolerances() {}

    /** The largest difference allowed from {@code expected}: the tolerance times its largest magnitude. */
    static float bound(float[]... expected) {
        float largest = 0;
        for (float[] row : expected) {
            for (float value : row) {
                largest = Math.max(largest, Math.abs(value));
            }
        }
        return (float) (ServingPathCheck.TOLERANCE * largest);
    }

    /**
     * Skips the calling test, saying why, when the load-time check would refuse {@code products} for this model on
     * this CPU: a path that is never served here has no behaviour here to test (ServingPathsTest covers the refusal).
     */
    static void assumeServedHere(Gpt gpt, ai.djl.ndarray.NDManager manager, WeightProducts products) {
        try (ScriptedInference checked = ServingPaths.choose(gpt, manager, List.of(products))) {
            Assumptions.assumeTrue(checked.products() == products, products + " cannot run here");
        } catch (IllegalStateException refused) {
            Assumptions.abort("the load-time check refuses " + products + " on this CPU: " + refused.getMessage());
        }
    }
}
