package dev.folio.model;

import dev.folio.model.ScriptedInference.WeightProducts;
import java.util.List;
import java.util.Locale;

/**
 * Which weight products a loaded model's passes run, and why: each candidate tried at load, fastest first, with its
 * largest error against the float64 reference ({@link ServingPathCheck}) and whether that is within the tolerance.
 *
 * @param products what serves
 * @param verified whether the check ran (false only for passes compiled by hand, as tests and benchmarks do)
 * @param tolerance the largest relative error a path may show
 * @param candidates the paths tried, in order, the served one last
 * @param checkMillis what the check cost, reference included
 * @param stepThreads on how many threads the served path's decoding steps run, as measured when it loaded
 */
public record ServingPath(WeightProducts products, boolean verified, double tolerance, List<Candidate> candidates, long checkMillis,
        StepThreads stepThreads) {

    /**
     * One path tried.
     *
     * @param relativeError the largest error over the probe's passes, relative to the logits' magnitude; NaN if it could not run
     * @param worstPass the pass that showed it
     * @param agrees within the tolerance: may serve
     * @param note why it was refused, or null
     */
    public record Candidate(WeightProducts products, double relativeError, String worstPass, boolean agrees, String note) {}

    /** Passes compiled for the asked products without a check. */
    static ServingPath unchecked(WeightProducts products) {
        return new ServingPath(products, false, ServingPathCheck.TOLERANCE, List.of(), 0, StepThreads.UNMEASURED);
    }

    /** The products' name as the API and metrics show it: {@code onednn_packed} or {@code linear}. */
    public String name() {
        return name(products);
    }

    public static String name(WeightProducts products) {
        return products.name().toLowerCase(Locale.ROOT);
    }

    /** One sentence: what serves and why. */
    public String reason() {
        if (!verified) {
            return name() + ", as asked, not checked";
        }
        StringBuilder reason = new StringBuilder(name()).append(": agrees with the float64 reference");
        for (Candidate candidate : candidates) {
            if (!candidate.agrees()) {
                reason.append("; ").append(name(candidate.products())).append(" refused: ").append(candidate.note());
            }
        }
        return reason.toString();
    }
}
