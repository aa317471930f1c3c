package dev.folio.model;

import ai.djl.ndarray.NDManager;
import dev.folio.model.ScriptedInference.WeightProducts;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the weight products a model serves on this CPU: the fastest that agrees with the float64 reference on
 * every pass ({@link ServingPathCheck}), never one that does not. A kernel that is right on one CPU can be wrong on
 * another (libtorch 2.7.1's oneDNN on a Zen 5, docs/performance.md, "Serving paths by CPU"), so no path is trusted for having passed elsewhere.
 */
public final class ServingPaths {

    /** libtorch threads the check gives prefills and batched steps (the scheduler's count on this project's machines). */
    private static final int BATCH_THREADS = Math.min(2, Runtime.getRuntime().availableProcessors());

    private static final Logger log = LoggerFactory.getLogger(ServingPaths.class);

    private ServingPaths() {}

    /**
     * Compiles and checks the candidates in order ({@code linear} alone if {@value ScriptedInference#PRODUCTS_PROPERTY}
     * says so) and returns the first that agrees, carrying its {@link ServingPath}.
     *
     * @throws IllegalStateException if none agrees: this CPU computes the model wrongly on every path
     */
    public static ScriptedInference choose(Gpt gpt, NDManager manager) {
        boolean linearAsked = "linear".equalsIgnoreCase(System.getProperty(ScriptedInference.PRODUCTS_PROPERTY, ""));
        return choose(gpt, manager, linearAsked ? List.of(WeightProducts.LINEAR) : List.of(WeightProducts.ONEDNN_PACKED, WeightProducts.LINEAR));
    }

    /** As {@link #choose(Gpt, NDManager)}, over the given candidates, fastest first. */
    public static ScriptedInference choose(Gpt gpt, NDManager manager, List<WeightProducts> candidates) {
        return choose(gpt, manager, candidates, products -> ScriptedInference.compile(gpt, manager, products));
    }

    /** How a candidate's passes are compiled (tests pass a deliberately broken one). */
    interface Compiler {
        ScriptedInference compile(WeightProducts products);
    }

    static ScriptedInference choose(Gpt gpt, NDManager manager, List<WeightProducts> candidates, Compiler compiler) {
        long start = System.nanoTime();
        List<ServingPath.Candidate> tried = new ArrayList<>();
        // on a thread of its own: its parallel regions leave their OpenMP workers to that thread, which ends here,
        // not to the loading thread (see ModelRegistryThreadsTest)
        AtomicReference<Object> outcome = new AtomicReference<>();
        AtomicLong checkNanos = new AtomicLong();
        AtomicReference<StepThreads> stepThreads = new AtomicReference<>();
        Thread checker = new Thread(() -> {
            try (Float64Reference reference = new Float64Reference(gpt)) {
                ServingPathCheck check = new ServingPathCheck(reference, gpt.config(), BATCH_THREADS);
                for (WeightProducts wanted : candidates) {
                    ScriptedInference inference = compiler.compile(wanted);
                    ServingPath.Candidate candidate = judge(check, inference, manager, wanted);
                    tried.add(candidate);
                    if (candidate.agrees()) {
                        checkNanos.set(System.nanoTime() - start);
                        stepThreads.set(StepThreads.forShape(inference, gpt.config(), manager, BATCH_THREADS));
                        outcome.set(inference);
                        return;
                    }
                    inference.close();
                    log.warn("refusing {} for a {}-layer, {}-wide model on this CPU: {}{}", ServingPath.name(wanted), gpt.config().nLayer(),
                            gpt.config().nEmbd(), candidate.note(), wanted == WeightProducts.ONEDNN_PACKED && System.getenv("DNNL_MAX_CPU_ISA") == null
                                    ? " (DNNL_MAX_CPU_ISA=AVX2 in the environment keeps oneDNN to its AVX2 kernels; the check judges them at the next start)" : "");
                }
            } catch (RuntimeException | Error e) {
                outcome.set(e);
            }
        }, "folio-pathcheck");
        checker.start();
        try {
            checker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking the serving paths", e);
        }
        Object result = outcome.get();
        if (result instanceof RuntimeException e) {
            throw e;
        }
        if (result instanceof Error e) {
            throw e;
        }
        if (result == null) {
            throw new IllegalStateException("no serving path agrees with the float64 reference on this CPU: " + tried);
        }
        ScriptedInference inference = (ScriptedInference) result;
        long millis = checkNanos.get() / 1_000_000;
        ServingPath path = new ServingPath(inference.products(), true, ServingPathCheck.TOLERANCE, List.copyOf(tried), millis, stepThreads.get());
        inference.servingPath(path);
        log.info("serving path {} (checked in {} ms; largest relative error {}); {}", path.reason(), millis,
                String.format(Locale.ROOT, "%.1e", tried.get(tried.size() - 1).relativeError()), path.stepThreads().describe());
        return inference;
    }

    private static ServingPath.Candidate judge(ServingPathCheck check, ScriptedInference inference, NDManager manager, WeightProducts wanted) {
        if (inference.products() != wanted) {
            return new ServingPath.Candidate(wanted, Double.NaN, null, false, "libtorch cannot run it here");
        }
        ServingPathCheck.PassError worst = null;
        for (ServingPathCheck.PassError error : check.run(inference, manager)) {
            if (worst == null || !(error.relativeError() <= worst.relativeError())) {
                worst = error;
            }
        }
        boolean agrees = worst.relativeError() <= ServingPathCheck.TOLERANCE;
        String note = agrees ? null : String.format(Locale.ROOT, "%s is %.2e of the logits' magnitude (%.3g) off the float64 reference, over the %.0e allowed",
                worst.pass(), worst.relativeError(), check.scale(), ServingPathCheck.TOLERANCE);
        return new ServingPath.Candidate(wanted, worst.relativeError(), worst.pass(), agrees, note);
    }
}
