package dev.folio.bench.jmh;

import ai.djl.ndarray.NDManager;
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
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One batched decoding step of the bundled model (the serving path, {@code ScriptedInference.decode} over slot caches), B sequences at
 * position 128 of the 256-token window, with the thread count the scheduler would use. Time per step; tokens/s
 * is B ÷ that. bench/jmh.sh runs it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DecodeStepBenchmark {

    @Param({"1", "8", "32"})
    int batch;

    private LoadedModel model;
    private NDManager manager;
    private SlotKvCache slots;
    private GradMode gradMode;
    private int[] tokens;
    private int[] positions;

    @Setup(Level.Trial)
    public void load() throws Exception {
        DjlOffline.apply();
        OpenMpSpin.apply(); // as the server does
        AtenCpuCapability.apply();
        model = new ModelStore(Path.of("model-store")).loadCurrent("shakespeare-char");
        manager = NDManager.newBaseManager();
        gradMode = GradMode.disabled();
        IntraOpThreads.set(model.inference().stepThreads().threadsFor(batch, 2)); // as the scheduler does
        slots = new SlotKvCache(manager, model.gpt().config(), batch);
        tokens = new int[batch];
        Arrays.fill(tokens, 5);
        positions = new int[batch];
        Arrays.fill(positions, 128);
    }

    @Benchmark
    public float[] step() {
        try (NDManager step = manager.newSubManager()) {
            return model.inference().decode(step, tokens, positions, slots).toFloatArray();
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        slots.close();
        gradMode.close();
        manager.close();
        model.close();
    }
}
