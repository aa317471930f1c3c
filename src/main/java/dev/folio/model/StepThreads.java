package dev.folio.model;

import ai.djl.ndarray.NDManager;
import dev.folio.engine.GradMode;
import dev.folio.engine.IntraOpThreads;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How many libtorch threads a decoding step of this model should run on, measured on this machine when the model
 * loads: one thread for batches below {@link #singleThreadBelowRows}, all from there. Which is faster depends on the
 * CPU and the model's size, so no fixed rule holds: with the bundled model's weights in a Zen 4's cache one thread
 * won at 8 rows, on a Zen 3 whose caches they overflow two threads won at 8 rows, and a 12 × 768 model streams
 * 344 MB a step, which two threads read 1.4× faster even at 1 row (docs/performance.md, "The thread rule").
 * The thread count does not change a step's result (the kernels split rows and heads, not sums), only its speed.
 *
 * @param singleThreadBelowRows steps of fewer rows run on one thread; 1: every step on all threads
 * @param threads the thread count the probes compared against one thread
 * @param probes each row count timed, one thread against all
 * @param measureMillis what measuring cost
 */
public record StepThreads(int singleThreadBelowRows, int threads, List<Probe> probes, long measureMillis) {

    /** Rows timed, in order. Steps of more rows than the largest always run on all threads. */
    static final int[] PROBE_ROWS = {1, 4, 8, 16};
    /** All threads must be this much faster to be chosen: near a tie one thread leaves the other core to the rest. */
    static final double MARGIN = 0.95;
    /** Alternating rounds per probe; the median of each side's times is compared. */
    private static final int ROUNDS = 3;
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

        boolean allThreadsWin() {
            return allThreadsMs < MARGIN * oneThreadMs;
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
     * The threshold from the probes: the smallest probed row count from which all threads win at every larger probe;
     * above the largest probe, all threads.
     */
    static int threshold(List<Probe> probes) {
        int threshold = probes.get(probes.size() - 1).rows() + 1;
        for (int i = probes.size() - 1; i >= 0 && probes.get(i).allThreadsWin(); i--) {
            threshold = probes.get(i).rows();
        }
        return threshold;
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
                int steps = stepsPerTiming(inference, scratch, tokens, positions, cache);
                double[] one = new double[ROUNDS];
                double[] all = new double[ROUNDS];
                for (int round = 0; round < ROUNDS; round++) {
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

    private static int stepsPerTiming(ScriptedInference inference, NDManager manager, int[] tokens, int[] positions, SlotKvCache cache) {
        double ms = time(inference, manager, tokens, positions, cache, 1);
        return Math.max(MIN_STEPS, (int) Math.ceil(MIN_TIMING_NANOS / 1e6 / Math.max(ms, 1e-3)));
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
