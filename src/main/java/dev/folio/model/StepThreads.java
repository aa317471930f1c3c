package dev.folio.model;

import ai.djl.ndarray.NDManager;
import dev.folio.engine.GradMode;
import dev.folio.engine.IntraOpThreads;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How many libtorch threads a decoding step of this model should run on, measured on this machine when the model
 * loads: one thread for batches below {@link #singleThreadBelowRows}, all from there. No fixed rule holds across CPUs
 * and sizes: a step of the bundled model (13 MB of weights) is a few hundred small ops, where OpenMP's hand-offs cost
 * about what a second core gains below 12 rows; a 12 × 768 model streams 344 MB of weights a step, which two threads
 * read 1.3–1.4× faster even at one row (docs/performance.md, "The thread rule"). The thread count does not change a
 * step's result (the kernels split rows, heads and output columns, never a sum), only its speed.
 *
 * @param singleThreadBelowRows steps of fewer rows run on one thread; 1: every step on all threads
 * @param threads the thread count the probes compared against one thread
 * @param probes each row count timed, one thread against all
 * @param measureMillis what measuring cost
 */
public record StepThreads(int singleThreadBelowRows, int threads, List<Probe> probes, long measureMillis) {

    /** Rows timed, in order. Steps of more rows than the largest always run on all threads. */
    static final int[] PROBE_ROWS = {1, 4, 8, 16};
    /**
     * All threads serve from the first probe where they are this much faster (step time ratio), near a tie one thread
     * leaves the other core to the rest of the process (sampling, HTTP, the collector); the load's own noise (the JIT
     * compiles beside it) is about 10%.
     */
    static final double CLEAR_WIN = 0.85;
    /** ...and at every larger probe no slower than this: a larger probe short of a clear win keeps the run, one that is slower on all threads ends it. */
    static final double NOT_WORSE = 0.95;
    /** Alternating rounds per probe; the median of each side's times is compared. Fewer for slow steps (large models), whose differences are large. */
    private static final int ROUNDS = 5;
    private static final int ROUNDS_FOR_SLOW_STEPS = 3;
    private static final double SLOW_STEP_MS = 10;
    /** The least time one timing runs for, and the fewest steps, so a fast model's timing is not one clock tick. */
    private static final long MIN_TIMING_NANOS = 4_000_000;
    private static final int MIN_STEPS = 2;

    /**
     * One row count timed.
     *
     * @param oneThreadMs median step time on one thread
     * @param allThreadsMs median step time on {@link #threads}
     */
    public record Probe(int rows, double oneThreadMs, double allThreadsMs) {

        double ratio() {
            return allThreadsMs / oneThreadMs;
        }
    }

    /** Passes compiled by hand (tests, benchmarks): the rule measured on a Zen 4 with the bundled model, one thread below 12 rows. */
    public static final StepThreads UNMEASURED = fixed(12, 2);

    /** A fixed rule, not measured (a configured value, or a machine with one core). */
    public static StepThreads fixed(int singleThreadBelowRows, int threads) {
        return new StepThreads(singleThreadBelowRows, threads, List.of(), 0);
    }

    /** One line for the log: the rule and, if measured, each probe. */
    public String describe() {
        String rule = singleThreadBelowRows <= 1 ? "decoding steps on " + threads + " threads at every batch size"
                : "decoding steps below " + singleThreadBelowRows + " rows on one thread, from there on " + threads;
        if (probes.isEmpty()) {
            return rule + " (not measured)";
        }
        StringBuilder line = new StringBuilder(rule).append(" (measured in ").append(measureMillis).append(" ms, ms a step on 1 / ")
                .append(threads).append(" threads:");
        for (Probe probe : probes) {
            line.append(String.format(Locale.ROOT, " %d rows %.2f / %.2f;", probe.rows(), probe.oneThreadMs(), probe.allThreadsMs()));
        }
        line.setLength(line.length() - 1);
        return line.append(')').toString();
    }

    /** Threads for a step of {@code rows} rows, with {@code configured} threads the most it may use. */
    public int threadsFor(int rows, int configured) {
        return rows < singleThreadBelowRows ? 1 : configured;
    }

    /**
     * The threshold from the probes: the smallest probed row count at which all threads win clearly ({@link #CLEAR_WIN})
     * and are no slower ({@link #NOT_WORSE}) at every larger probe; above the largest probe, all threads.
     */
    static int threshold(List<Probe> probes) {
        int threshold = probes.get(probes.size() - 1).rows() + 1;
        boolean notWorseAbove = true;
        for (int i = probes.size() - 1; i >= 0 && notWorseAbove; i--) {
            Probe probe = probes.get(i);
            if (probe.ratio() < CLEAR_WIN) {
                threshold = probe.rows();
            }
            notWorseAbove = probe.ratio() < NOT_WORSE;
        }
        return threshold;
    }

    /** What was measured in this process, by shape: the rule depends on the CPU and the model's shape, not its weights. */
    private static final Map<Shape, StepThreads> MEASURED = new HashMap<>();

    private record Shape(GptConfig config, ScriptedInference.WeightProducts products, int threads) {}

    /**
     * The rule for {@code inference}'s shape: measured the first time this process serves the shape ({@link #measure}),
     * the same afterwards. So a new version of a served model (a hot reload, often while the other core is decoding)
     * keeps the rule measured at start, when the machine was quiet, and does not pay for measuring again.
     */
    static synchronized StepThreads forShape(ScriptedInference inference, GptConfig config, NDManager manager, int threads) {
        Shape shape = new Shape(config, inference.products(), threads);
        StepThreads known = MEASURED.get(shape);
        if (known == null) {
            known = measure(inference, config, manager, threads);
            MEASURED.put(shape, known);
        }
        return known;
    }

    /**
     * Times {@code inference}'s decoding step on this thread at each of {@link #PROBE_ROWS} rows (within the context
     * window's first 64 positions), on one thread and on {@code threads}, alternating; call it on a thread of its own
     * (its parallel regions leave OpenMP workers to the calling thread).
     */
    static StepThreads measure(ScriptedInference inference, GptConfig config, NDManager manager, int threads) {
        if (threads <= 1) {
            return fixed(1, Math.max(1, threads));
        }
        long start = System.nanoTime();
        int position = Math.min(63, config.blockSize() - 1);
        List<Probe> probes = new ArrayList<>();
        try (GradMode ignored = GradMode.disabled(); NDManager scratch = manager.newSubManager();
                SlotKvCache cache = new SlotKvCache(scratch, config, PROBE_ROWS[PROBE_ROWS.length - 1])) {
            for (int rows : PROBE_ROWS) {
                int[] tokens = new int[rows];
                int[] positions = new int[rows];
                Arrays.fill(positions, position);
                IntraOpThreads.set(threads);
                step(inference, scratch, tokens, positions, cache); // warm: the cache's growth, first calls at this shape
                double firstMs = time(inference, scratch, tokens, positions, cache, 1);
                int steps = Math.max(MIN_STEPS, (int) Math.ceil(MIN_TIMING_NANOS / 1e6 / Math.max(firstMs, 1e-3)));
                int rounds = firstMs > SLOW_STEP_MS ? ROUNDS_FOR_SLOW_STEPS : ROUNDS;
                double[] one = new double[rounds];
                double[] all = new double[rounds];
                for (int round = 0; round < rounds; round++) {
                    IntraOpThreads.set(1);
                    one[round] = time(inference, scratch, tokens, positions, cache, steps);
                    IntraOpThreads.set(threads);
                    all[round] = time(inference, scratch, tokens, positions, cache, steps);
                }
                probes.add(new Probe(rows, median(one), median(all)));
            }
        }
        return new StepThreads(threshold(probes), threads, List.copyOf(probes), (System.nanoTime() - start) / 1_000_000);
    }

    /** Milliseconds a step, over {@code steps} steps. */
    private static double time(ScriptedInference inference, NDManager manager, int[] tokens, int[] positions, SlotKvCache cache, int steps) {
        long start = System.nanoTime();
        for (int i = 0; i < steps; i++) {
            step(inference, manager, tokens, positions, cache);
        }
        return (System.nanoTime() - start) / 1e6 / steps;
    }

    private static void step(ScriptedInference inference, NDManager manager, int[] tokens, int[] positions, SlotKvCache cache) {
        try (NDManager step = manager.newSubManager()) {
            inference.decode(step, tokens, positions, cache).toFloatArray(); // as the scheduler does: the logits reach Java
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
