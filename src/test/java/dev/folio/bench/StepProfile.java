package dev.folio.bench;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import dev.folio.engine.AtenCpuCapability;
import dev.folio.engine.DjlOffline;
import dev.folio.engine.GradMode;
import dev.folio.engine.IntraOpThreads;
import dev.folio.engine.OpenMpSpin;
import dev.folio.model.SlotKvCache;
import dev.folio.store.LoadedModel;
import dev.folio.store.ModelStore;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The TorchScript decoding step alone, without the scheduler: B rows at the same position, positions 6 → 205 as in
 * {@link DecodeSpeed}'s runs (or spread around it, {@code bench.ragged}), ms a step (median of rounds), on the threads
 * the model's measured rule gives (or {@code bench.threads}); with {@code bench.profile=FILE}, libtorch's profiler over
 * the last round, written as a Chrome trace to FILE-bB.json. A benchmark: prints, asserts nothing.
 *
 *   java [-Dbench.store=DIR -Dbench.model=NAME -Dbench.threads=N -Dbench.ragged=true -Dbench.last-position=P]
 *       -cp ... dev.folio.bench.StepProfile [rounds] [batch sizes...]
 */
public final class StepProfile {

    private StepProfile() {}

    public static void main(String[] args) throws Exception {
        DjlOffline.apply();
        OpenMpSpin.apply();
        AtenCpuCapability.apply();
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int[] batches = args.length > 1 ? Arrays.stream(args).skip(1).mapToInt(Integer::parseInt).toArray() : new int[] {1, 8, 32};
        try (LoadedModel model = new ModelStore(Path.of(System.getProperty("bench.store", "model-store")))
                .loadCurrent(System.getProperty("bench.model", "shakespeare-char"));
                NDManager manager = NDManager.newBaseManager();
                GradMode ignored = GradMode.disabled()) {
            for (int batch : batches) {
                int threads = Integer.getInteger("bench.threads", model.inference().stepThreads().threadsFor(batch, 2));
                IntraOpThreads.set(threads);
                double[] ms = new double[rounds];
                for (int r = -1; r < rounds; r++) {
                    String profile = System.getProperty("bench.profile");
                    boolean profiled = profile != null && r == rounds - 1;
                    if (profiled) {
                        JniUtils.startProfile(false, false, false);
                    }
                    long start = System.nanoTime();
                    runRound(model, manager, batch);
                    if (profiled) {
                        JniUtils.stopProfile(profile + "-b" + batch + ".json");
                    }
                    if (r >= 0) {
                        ms[r] = (System.nanoTime() - start) / 1e6 / (LAST_POSITION - 5);
                    }
                }
                Arrays.sort(ms);
                System.out.printf("TorchScript step alone, batch %2d (%d thread): %.3f ms a step (median of %d rounds; %.3f–%.3f)%n", batch,
                        threads, ms[rounds / 2], rounds, ms[0], ms[rounds - 1]);
            }
        }
    }

    /** Positions of a round: 6 up to {@code bench.last-position} (205); the step time is their average. */
    private static final int LAST_POSITION = Integer.getInteger("bench.last-position", 205);
    /**
     * {@code bench.ragged=true}: rows at positions spread evenly around the round's position (0 to twice it), as a batch
     * of requests that arrived at different times is, instead of all at it; the same mean span, a longer longest one.
     */
    private static final boolean RAGGED = Boolean.getBoolean("bench.ragged");

    private static void runRound(LoadedModel model, NDManager manager, int batch) {
        try (SlotKvCache cache = new SlotKvCache(manager, model.gpt().config(), 64)) {
            int[] tokens = new int[batch];
            int[] positions = new int[batch];
            for (int p = 6; p <= LAST_POSITION; p++) {
                Arrays.fill(tokens, p % 60 + 1);
                for (int row = 0; row < batch; row++) {
                    positions[row] = RAGGED && batch > 1 ? (int) Math.round(2.0 * p * row / (batch - 1)) : p;
                }
                try (NDManager step = manager.newSubManager()) {
                    model.inference().decode(step, tokens, positions, cache).toFloatArray();
                }
            }
        }
    }
}
