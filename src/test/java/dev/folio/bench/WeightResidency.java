package dev.folio.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import dev.folio.engine.AtenCpuCapability;
import dev.folio.engine.DjlOffline;
import dev.folio.engine.GradMode;
import dev.folio.engine.IntraOpThreads;
import dev.folio.engine.OpenMpSpin;
import dev.folio.store.LoadedModel;
import dev.folio.store.ModelStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Why a batch-1 decoding step costs more than its matrix-vector products alone: the bundled model's
 * 17 weight matrices multiplied by one vector (one libtorch thread, as the scheduler runs batch 1), back
 * to back and then with the CPU kept busy for a gap between products (a spin: no memory traffic of its
 * own). Prints the time of the products only. If it grows with the gap, the weights are leaving the
 * cache while the step does other work. A benchmark: prints, asserts nothing.
 *
 *   java -cp ... dev.folio.bench.WeightResidency [passes]
 */
public final class WeightResidency {

    private static final int[] GAPS_MICROS = {0, 4, 16, 64};

    private WeightResidency() {}

    public static void main(String[] args) throws Exception {
        DjlOffline.apply();
        OpenMpSpin.apply(); // as the server does
        AtenCpuCapability.apply();
        int passes = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        try (LoadedModel model = new ModelStore(Path.of("model-store")).loadCurrent("shakespeare-char");
                GradMode ignored = GradMode.disabled();
                NDManager manager = NDManager.newBaseManager()) {
            IntraOpThreads.set(1);
            List<NDArray> weights = new ArrayList<>();
            long bytes = 0;
            for (var parameter : model.gpt().getParameters()) {
                NDArray array = parameter.getValue().getArray();
                if (array.getShape().dimension() == 2 && !parameter.getKey().equals("wpe")) {
                    weights.add(array);
                    bytes += array.size() * 4;
                }
            }
            System.out.printf("%d weight matrices, %.1f MB; one vector through each, %d passes per figure%n",
                    weights.size(), bytes / 1e6, passes);
            for (int round = 0; round < 2; round++) { // the first round warms up the JIT
                for (int gap : GAPS_MICROS) {
                    double millis = productsPerPass(manager, weights, gap, passes);
                    if (round == 1) {
                        System.out.printf("gap %3d µs between products: %.3f ms per pass of products, %.1f GB/s of weights%n",
                                gap, millis, bytes / millis / 1e6);
                    }
                }
            }
        }
    }

    /** Milliseconds per pass spent in the products alone (each timed by itself, the gaps excluded). */
    private static double productsPerPass(NDManager manager, List<NDArray> weights, int gapMicros, int passes) {
        long inProducts = 0;
        for (int pass = 0; pass < passes; pass++) {
            try (NDManager scratch = manager.newSubManager()) {
                for (NDArray weight : weights) {
                    NDArray x = scratch.ones(new Shape(1, 1, weight.getShape().get(1)));
                    long start = System.nanoTime();
                    Linear.linear(x, weight).singletonOrThrow().attach(scratch);
                    inProducts += System.nanoTime() - start;
                    spin(gapMicros);
                }
            }
        }
        return inProducts / 1e6 / passes;
    }

    private static void spin(int micros) {
        long until = System.nanoTime() + micros * 1000L;
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
    }
}
