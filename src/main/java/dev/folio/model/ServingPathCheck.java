package dev.folio.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.folio.engine.GradMode;
import dev.folio.engine.IntraOpThreads;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Runs every pass a {@link ScriptedInference} serves on a fixed probe and measures how far its logits are from the
 * {@link Float64Reference}: the padded prefill of rows of different lengths, a prefill after a cache (chunked prompts,
 * the scorer), the decoding step at one row, and batched steps with rows at one position and at different positions.
 * Prefills at {@code threads}, as the scheduler runs them; decoding steps at one thread and at {@code threads}, since the
 * model's measured rule ({@link StepThreads}) may run a step of any size on either.
 *
 * <p>The error is stated relative to the logits' magnitude (the largest |logit| of the reference), so one bound
 * serves a model of any size: see {@link #TOLERANCE}.
 */
public final class ServingPathCheck {

    /**
     * The largest error a pass may show, relative to the logits' magnitude: 10⁻⁴, agreement to about 13 of float32's
     * 24 bits. A right float32 pass differs from float64 only by rounding (unit roundoff u = 6·10⁻⁸, grown by about
     * √K over a K-term product and carried through the layers): measured on the bundled model, MKL, oneDNN and the
     * float32 blocks all land at 0.5–1.2·10⁻⁶ (docs/performance.md, "The serving-path check at load"), 100× inside the bound, room for other CPUs'
     * summation orders and for deeper, wider models. The wrong products seen (oneDNN on a Zen 5) were 10⁻³ to 0.3 of
     * the magnitude, 10× and more outside it. At the bundled model's magnitude (~14) the bound is 1.4·10⁻³ in a
     * logit, which moves a token's probability by at most 0.3%.
     */
    public static final double TOLERANCE = 1e-4;

    /** Rows of the batched decoding step: enough for the batched kernels' blocking to differ from one row's. */
    static final int BATCH_ROWS = 16;
    private static final int PROBE_LENGTH = 32;
    /** Decoding steps each decoding probe runs (the positions before them are prefilled). */
    private static final int DECODE_STEPS = 4;
    private static final long PROBE_SEED = 20261206L;

    private final GptConfig config;
    /** The slot caches' shape: the probe's window, not the model's (the passes read only the positions they are given). */
    private final GptConfig probeWindow;
    private final int threads;
    private final int[][] sequences;
    private final double[][][] reference;
    private final double scale;

    /**
     * @param threads libtorch threads for prefills and batches ({@code 1} checks one-thread serving only)
     */
    public ServingPathCheck(Float64Reference reference, GptConfig config, int threads) {
        this.config = config;
        this.threads = Math.max(1, threads);
        int length = Math.min(PROBE_LENGTH, config.blockSize());
        this.probeWindow = new GptConfig(config.vocabSize(), length, config.nLayer(), config.nHead(), config.nEmbd(), 0f, config.bias());
        Random random = new Random(PROBE_SEED);
        this.sequences = new int[4][length];
        this.reference = new double[sequences.length][][];
        double largest = 0;
        for (int s = 0; s < sequences.length; s++) {
            for (int t = 0; t < length; t++) {
                sequences[s][t] = random.nextInt(config.vocabSize());
            }
            this.reference[s] = reference.logits(sequences[s]);
            for (double[] row : this.reference[s]) {
                for (double logit : row) {
                    largest = Math.max(largest, Math.abs(logit));
                }
            }
        }
        this.scale = Math.max(largest, Double.MIN_NORMAL);
    }

    /** How far one pass is from the reference, relative to the logits' magnitude. */
    public record PassError(String pass, double relativeError) {}

    /** The largest |logit| of the reference on the probe: what errors are relative to. */
    public double scale() {
        return scale;
    }

    /** Every pass's relative error, in the order run. */
    public List<PassError> run(ScriptedInference inference, NDManager parent) {
        List<PassError> errors = new ArrayList<>();
        int length = sequences[0].length;
        try (NDManager manager = parent.newSubManager(); GradMode ignored = GradMode.disabled()) {
            IntraOpThreads.set(threads);
            errors.add(new PassError("padded prefill", paddedPrefill(inference, manager)));
            errors.add(new PassError("prefill after a cache", prefillAfterCache(inference, manager, Math.max(1, length / 2))));
            int split = Math.max(1, length - DECODE_STEPS);
            // steps of any size may run on one thread or on all, as the model's measured rule decides (StepThreads)
            IntraOpThreads.set(1);
            errors.add(new PassError("decoding step, 1 row, 1 thread", decodeOneRow(inference, manager, split)));
            if (threads > 1) {
                errors.add(new PassError("decoding step, " + BATCH_ROWS + " rows at different positions, 1 thread", decodeBatch(inference, manager, split, true)));
                IntraOpThreads.set(threads);
                errors.add(new PassError("decoding step, 1 row, " + threads + " threads", decodeOneRow(inference, manager, split)));
            }
            errors.add(new PassError("decoding step, " + BATCH_ROWS + " rows at one position", decodeBatch(inference, manager, split, false)));
            errors.add(new PassError("decoding step, " + BATCH_ROWS + " rows at different positions", decodeBatch(inference, manager, split, true)));
        }
        return errors;
    }

    /** Rows of lengths L, L-3, L-7, ... padded on the right with token 0, from position 0. */
    private double paddedPrefill(ScriptedInference inference, NDManager manager) {
        int rows = sequences.length;
        int time = sequences[0].length;
        int[] tokens = new int[rows * time];
        int[] lengths = new int[rows];
        for (int r = 0; r < rows; r++) {
            lengths[r] = Math.max(1, time - 4 * r + (r > 0 ? 1 : 0));
            System.arraycopy(sequences[r], 0, tokens, r * time, lengths[r]);
        }
        try (NDManager pass = manager.newSubManager()) {
            float[] logits = inference.prefill(pass, pass.create(tokens, new Shape(rows, time)), KvCache.empty()).logits().toFloatArray();
            double worst = 0;
            int vocab = config.vocabSize();
            for (int r = 0; r < rows; r++) {
                for (int t = 0; t < lengths[r]; t++) {
                    worst = Math.max(worst, largestDifference(logits, (r * time + t) * vocab, reference[r][t]));
                }
            }
            return worst / scale;
        }
    }

    /** Sequence 0: positions [0, split) prefilled, then [split, L) after that cache. */
    private double prefillAfterCache(ScriptedInference inference, NDManager manager, int split) {
        int[] sequence = sequences[0];
        try (NDManager pass = manager.newSubManager()) {
            KvCache first = inference.prefill(pass, pass.create(Arrays.copyOf(sequence, split), new Shape(1, split)), KvCache.empty()).cache();
            int rest = sequence.length - split;
            float[] logits = inference.prefill(pass, pass.create(Arrays.copyOfRange(sequence, split, sequence.length), new Shape(1, rest)), first)
                    .logits().toFloatArray();
            double worst = 0;
            for (int t = 0; t < rest; t++) {
                worst = Math.max(worst, largestDifference(logits, t * config.vocabSize(), reference[0][split + t]));
            }
            return worst / scale;
        }
    }

    /** Sequence 1 decoded alone from position {@code split} to its end. */
    private double decodeOneRow(ScriptedInference inference, NDManager manager, int split) {
        int[] sequence = sequences[1];
        try (NDManager pass = manager.newSubManager(); SlotKvCache slots = new SlotKvCache(pass, probeWindow, 1)) {
            slots.install(0, inference.prefill(pass, pass.create(Arrays.copyOf(sequence, split), new Shape(1, split)), KvCache.empty()).cache());
            double worst = 0;
            for (int position = split; position < sequence.length; position++) {
                try (NDManager step = pass.newSubManager()) {
                    float[] logits = inference.decode(step, new int[] {sequence[position]}, new int[] {position}, slots).toFloatArray();
                    worst = Math.max(worst, largestDifference(logits, 0, reference[1][position]));
                }
            }
            return worst / scale;
        }
    }

    /**
     * {@link #BATCH_ROWS} rows (the probe's sequences over again), each prefilled to its start, then stepped together
     * to the end: from one start (every row at the same position), or from starts spread over a few positions.
     */
    private double decodeBatch(ScriptedInference inference, NDManager manager, int split, boolean spread) {
        int length = sequences[0].length;
        int[] positions = new int[BATCH_ROWS];
        try (NDManager pass = manager.newSubManager(); SlotKvCache slots = new SlotKvCache(pass, probeWindow, BATCH_ROWS)) {
            int[] prompts = new int[BATCH_ROWS * split]; // one padded prefill; row r's cache is its first positions[r]
            for (int r = 0; r < BATCH_ROWS; r++) {
                positions[r] = spread ? Math.max(1, split - r % 5 * 2) : split;
                System.arraycopy(sequences[r % sequences.length], 0, prompts, r * split, positions[r]);
            }
            KvCache prefilled = inference.prefill(pass, pass.create(prompts, new Shape(BATCH_ROWS, split)), KvCache.empty()).cache();
            for (int r = 0; r < BATCH_ROWS; r++) {
                slots.install(r, prefilled.row(r, positions[r]));
            }
            double worst = 0;
            int vocab = config.vocabSize();
            while (positions[0] < length) {
                int[] tokens = new int[BATCH_ROWS];
                for (int r = 0; r < BATCH_ROWS; r++) {
                    tokens[r] = sequences[r % sequences.length][positions[r]];
                }
                try (NDManager step = pass.newSubManager()) {
                    float[] logits = inference.decode(step, tokens, positions, slots).toFloatArray();
                    for (int r = 0; r < BATCH_ROWS; r++) {
                        worst = Math.max(worst, largestDifference(logits, r * vocab, reference[r % sequences.length][positions[r]]));
                    }
                }
                for (int r = 0; r < BATCH_ROWS; r++) {
                    positions[r]++;
                }
            }
            return worst / scale;
        }
    }

    private static double largestDifference(float[] logits, int offset, double[] expected) {
        double worst = 0;
        for (int v = 0; v < expected.length; v++) {
            double difference = Math.abs(logits[offset + v] - expected[v]);
            if (!(difference <= worst)) { // NaN counts as the worst of all
                worst = Double.isNaN(difference) ? Double.POSITIVE_INFINITY : difference;
            }
        }
        return worst;
    }
}
