package dev.folio.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.folio.engine.GradMode;
import dev.folio.model.GptConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The machine's floor for a decoding step, measured in the run that quotes it: a step must read the weights it multiplies
 * by and the keys and values its batch attends over, and do the step's arithmetic; it cannot be faster than the larger of
 * those bytes at the measured read bandwidth and those FLOPs at the measured matrix-product rate.
 *
 * @param bandwidthGbs read bandwidth: the sum of a 256 MB array (far beyond the caches), median of 8
 * @param gemmGflops float32 matrix product rate: 1024³, median of 10
 */
record Floor(double bandwidthGbs, double gemmGflops) {

    /** One step's floor: bytes read, FLOPs, and the time of whichever binds. */
    record Step(double bytes, double flops, double ms, String bound) {}

    static Floor measure() {
        try (NDManager m = NDManager.newBaseManager(); GradMode ignored = GradMode.disabled()) {
            NDArray a = m.randomNormal(new Shape(1024, 1024));
            NDArray b = m.randomNormal(new Shape(1024, 1024));
            List<Double> gemm = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                long t = System.nanoTime();
                a.matMul(b).close();
                gemm.add(2.0 * 1024 * 1024 * 1024 / ((System.nanoTime() - t) / 1e9) / 1e9);
            }
            NDArray big = m.randomNormal(new Shape(64 * 1024 * 1024));
            List<Double> reads = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                long t = System.nanoTime();
                big.sum().close();
                reads.add(256.0 * 1024 * 1024 / ((System.nanoTime() - t) / 1e9) / 1e9);
            }
            return new Floor(median(reads.subList(2, reads.size())), median(gemm.subList(2, gemm.size())));
        }
    }

    /** The floor of one decoding step of {@code batch} rows that attend over {@code span} positions each. */
    Step step(GptConfig config, int batch, int span) {
        double c = config.nEmbd();
        double matrices = config.nLayer() * 12 * c * c + (double) config.vocabSize() * c; // per layer c_attn 3C², c_proj C², MLP 8C²; the head
        double kv = (double) batch * config.nLayer() * 2 * span * c;
        double bytes = 4 * (matrices + kv);
        double flops = batch * (2 * matrices + 4.0 * config.nLayer() * span * c); // the products, then attention's scores and sums
        double readMs = bytes / (bandwidthGbs * 1e9) * 1000;
        double computeMs = flops / (gemmGflops * 1e9) * 1000;
        return readMs >= computeMs ? new Step(bytes, flops, readMs, "bytes-bound") : new Step(bytes, flops, computeMs, "FLOP-bound");
    }

    /**
     * The floor of a prefill of {@code tokens} tokens (time to first token): the weights read once, and the products'
     * FLOPs over every token plus causal attention's (each position attends over itself and those before it).
     */
    Step prefill(GptConfig config, int tokens) {
        double c = config.nEmbd();
        double matrices = config.nLayer() * 12 * c * c + (double) config.vocabSize() * c;
        double attended = (double) tokens * (tokens + 1) / 2; // (query, key) pairs under the causal mask
        double flops = 2 * matrices * tokens + 4.0 * config.nLayer() * attended * c;
        double bytes = 4 * matrices;
        double readMs = bytes / (bandwidthGbs * 1e9) * 1000;
        double computeMs = flops / (gemmGflops * 1e9) * 1000;
        return readMs >= computeMs ? new Step(bytes, flops, readMs, "bytes-bound") : new Step(bytes, flops, computeMs, "FLOP-bound");
    }

    private static double median(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).sorted().toArray()[values.size() / 2];
    }
}
