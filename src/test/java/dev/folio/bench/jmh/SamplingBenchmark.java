package dev.folio.bench.jmh;

import dev.folio.grammar.GrammarLimits;
import dev.folio.grammar.TokenGrammar;
import dev.folio.inference.LogitAdjustments;
import dev.folio.inference.SamplingParameters;
import dev.folio.inference.TokenSampler;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Choosing one token from 65 logits in Java (top-p and temperature), bare and with the logits processors (a grammar; logit
 * bias with both OpenAI penalties): the per-sequence cost each step adds, against a batched step of several milliseconds.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SamplingBenchmark {

    private final float[] logits = new float[65];
    private final int[] history = new int[256];
    private static final String VOCABULARY = "\n !$&',-.3:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private TokenSampler sampler;
    private TokenSampler grammarSampler;
    private TokenSampler penaltySampler;

    @Setup
    public void setUp() {
        Random random = new Random(1);
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) random.nextGaussian() * 3;
        }
        for (char outside : new char[] {'$', '&', '3'}) { // the grammar below never ends: its favourite is always inside
            logits[VOCABULARY.indexOf(outside)] = -10f;
        }
        for (int i = 0; i < history.length; i++) {
            history[i] = random.nextInt(logits.length);
        }
        sampler = new TokenSampler(parameters(LogitAdjustments.NONE), 1L);
        TokenGrammar grammar = TokenGrammar.regex("[A-Za-z ,.;:'!?\\n-]*", VOCABULARY, GrammarLimits.DEFAULT);
        grammarSampler = new TokenSampler(parameters(new LogitAdjustments(Map.of(), 0f, 0f, 0f, null, grammar)), 1L);
        penaltySampler = new TokenSampler(parameters(new LogitAdjustments(Map.of(1, -5f, 7, 2f), 0.5f, 0.5f, 0f, null, null)), 1L, 100);
    }

    private static SamplingParameters parameters(LogitAdjustments adjustments) {
        return new SamplingParameters(1000, true, 0.8f, null, 0.95f, 1L, List.of(), 1.1f, adjustments);
    }

    @Benchmark
    public TokenSampler.Choice sample() {
        return sampler.next(logits, history, 200);
    }

    @Benchmark
    public TokenSampler.Choice sampleUnderAGrammar() {
        return grammarSampler.next(logits, history, 200);
    }

    @Benchmark
    public TokenSampler.Choice sampleWithBiasAndPenalties() {
        return penaltySampler.next(logits, history, 200);
    }
}
