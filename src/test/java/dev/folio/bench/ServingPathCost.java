package dev.folio.bench;

import dev.folio.engine.AtenCpuCapability;
import dev.folio.engine.DjlOffline;
import dev.folio.engine.OpenMpSpin;
import dev.folio.model.ScriptedInference.WeightProducts;
import dev.folio.model.ScriptedInference;
import dev.folio.model.ServingPath;
import dev.folio.store.LoadedModel;
import dev.folio.store.ModelStore;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * What the load-time check of the serving paths costs: the bundled model compiled for oneDNN's products without the
 * check, then with it ({@link ScriptedInference#compile(dev.folio.model.Gpt, ai.djl.ndarray.NDManager)}), alternately,
 * after one untimed round of each (libtorch's and oneDNN's first calls). Prints medians; asserts nothing.
 *
 *   java -cp ... dev.folio.bench.ServingPathCost [rounds]
 */
public final class ServingPathCost {

    private ServingPathCost() {}

    public static void main(String[] args) throws Exception {
        DjlOffline.apply();
        OpenMpSpin.apply(); // as the server does
        AtenCpuCapability.apply();
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        try (LoadedModel model = new ModelStore(Path.of("model-store")).loadCurrent("shakespeare-char")) {
            System.out.println("first load's check: " + model.inference().servingPath().checkMillis() + " ms, " + model.inference().servingPath().reason());
            double[] unchecked = new double[rounds];
            double[] checked = new double[rounds];
            long[] reported = new long[rounds];
            for (int round = -1; round < rounds; round++) {
                long start = System.nanoTime();
                try (ScriptedInference plain = ScriptedInference.compile(model.gpt(), model.model().getNDManager(), WeightProducts.ONEDNN_PACKED)) {
                    double millis = (System.nanoTime() - start) / 1e6;
                    if (round >= 0) {
                        unchecked[round] = millis;
                    }
                }
                start = System.nanoTime();
                try (ScriptedInference verified = ScriptedInference.compile(model.gpt(), model.model().getNDManager())) {
                    double millis = (System.nanoTime() - start) / 1e6;
                    ServingPath path = verified.servingPath();
                    if (round >= 0) {
                        checked[round] = millis;
                        reported[round] = path.checkMillis();
                    }
                }
            }
            System.out.printf(Locale.ROOT, "compile, no check: median %.1f ms %s%n", median(unchecked), Arrays.toString(round(unchecked)));
            System.out.printf(Locale.ROOT, "compile and check: median %.1f ms %s%n", median(checked), Arrays.toString(round(checked)));
            System.out.printf(Locale.ROOT, "the check's own figure (checkMillis): %s%n", Arrays.toString(reported));
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static long[] round(double[] values) {
        return Arrays.stream(values).mapToLong(Math::round).toArray();
    }
}
