package dev.folio.bench.jmh;

import dev.folio.inference.SamplingParameters;
import dev.folio.inference.TokenSampler;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Choosing one token from 65 logits in Java (top-p and temperature): the per-sequence cost each step adds. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SamplingBenchmark {

    private final float[] logits = new float[65];
    private final int[] history = new int[256];
    private TokenSampler sampler;

    @Setup
    public void setUp() {
        Random random = new Random(1);
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) random.nextGaussian() * 3;
        }
        sampler = new TokenSampler(new SamplingParameters(1000, true, 0.8f, null, 0.95f, 1L, List.of(), 1.1f), 1L);
    }

    @Benchmark
    public TokenSampler.Choice sample() {
        return sampler.next(logits, history, 200);
    }
}
