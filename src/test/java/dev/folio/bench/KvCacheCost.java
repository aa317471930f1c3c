package dev.folio.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import dev.folio.engine.AtenCpuCapability;
import dev.folio.engine.DjlOffline;
import dev.folio.engine.GradMode;
import dev.folio.engine.IntraOpThreads;
import dev.folio.engine.OpenMpSpin;
import dev.folio.engine.TorchScript;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a reduced-precision KV cache would cost or save in libtorch 2.7.1 on this CPU: a batch-32 step's attention over
 * every layer's cache (the bundled model's shape by default: 4 layers, 4 heads of 64, 110 positions of a 256-position
 * array, as {@link DecodeSpeed}'s runs average), in float32, and in bfloat16 and float16 both run by the fused kernel in
 * that type and widened to float32 first. Alternating rounds, medians. A benchmark: prints, asserts nothing.
 *
 *   java -cp ... dev.folio.bench.KvCacheCost [rounds] [layers heads headDim span]
 */
public final class KvCacheCost {

    private KvCacheCost() {}

    public static void main(String[] args) throws Exception {
        DjlOffline.apply();
        OpenMpSpin.apply();
        AtenCpuCapability.apply();
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        int layers = args.length > 4 ? Integer.parseInt(args[1]) : 4;
        int heads = args.length > 4 ? Integer.parseInt(args[2]) : 4;
        int headDim = args.length > 4 ? Integer.parseInt(args[3]) : 64;
        int span = args.length > 4 ? Integer.parseInt(args[4]) : 110;
        int rows = 32;
        int capacity = Integer.highestOneBit(span - 1) << 1;
        IntraOpThreads.set(2);
        TorchScript.usePlainInterpreter();
        try (NDManager manager = NDManager.newBaseManager(); GradMode ignored = GradMode.disabled()) {
            PtSymbolBlock module = TorchScript.load(manager, KvCacheCost.class, "kv_dtype.py", "KvDtype");
            NDArray query = manager.randomNormal(new Shape(rows, heads, 1, headDim));
            List<String> names = List.of("float32, fused", "bfloat16, fused", "bfloat16, widened first", "float16, fused", "float16, widened first");
            DataType[] types = {DataType.FLOAT32, DataType.BFLOAT16, DataType.BFLOAT16, DataType.FLOAT16, DataType.FLOAT16};
            boolean[] widen = {false, false, true, false, true};
            NDList full = new NDList();
            for (int layer = 0; layer < layers; layer++) {
                full.add(manager.randomNormal(new Shape(rows, heads, 2, capacity, headDim)));
            }
            IValue fullList = TorchScript.list(full);
            IValue spanValue = IValue.from((long) span);
            List<IValue> caches = new ArrayList<>(); // converted in libtorch: DJL 0.36's toType to bfloat16 aborts the process
            for (long scalarType : new long[] {6, 15, 5}) { // libtorch's ScalarType: float32, bfloat16, float16
                IValue type = IValue.from(scalarType);
                caches.add(IValueUtils.runMethod(module, "stored", fullList, type, spanValue));
                type.close();
            }
            double[][] ms = new double[names.size()][rounds];
            IValue q = IValue.from((PtNDArray) query);
            for (int round = -2; round < rounds; round++) {
                for (int v = 0; v < names.size(); v++) {
                    IValue cache = caches.get(types[v] == DataType.FLOAT32 ? 0 : types[v] == DataType.BFLOAT16 ? 1 : 2);
                    IValue wide = IValue.from(widen[v]);
                    int repeats = 20;
                    long start = System.nanoTime();
                    for (int i = 0; i < repeats; i++) {
                        module.forward(q, cache, wide).close();
                    }
                    if (round >= 0) {
                        ms[v][round] = (System.nanoTime() - start) / 1e6 / repeats;
                    }
                    wide.close();
                }
            }
            double bytes = 2.0 * rows * heads * span * headDim * layers;
            System.out.printf("attention of a %d-row step over %d layers × %d heads × %d positions × %d (median of %d alternating rounds, 2 threads)%n",
                    rows, layers, heads, span, headDim, rounds);
            for (int v = 0; v < names.size(); v++) {
                double median = median(ms[v]);
                double cacheBytes = bytes * (types[v] == DataType.FLOAT32 ? 4 : 2);
                System.out.printf("  %-24s %7.3f ms  (%.1f MB of cache, %.1f GB/s; %.2f× float32's time)%n", names.get(v), median, cacheBytes / 1e6,
                        cacheBytes / median / 1e6, median / median(ms[0]));
            }
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
