package dev.folio.bench;

import dev.folio.engine.AtenCpuCapability;
import dev.folio.engine.DjlOffline;
import dev.folio.engine.OpenMpSpin;
import dev.folio.inference.DecodeScheduler;
import dev.folio.inference.Generation;
import dev.folio.inference.GenerationListener;
import dev.folio.inference.GenerationRequest;
import dev.folio.inference.KvBudget;
import dev.folio.inference.DecodingRules;
import dev.folio.inference.SamplingParameters;
import dev.folio.store.LoadedModel;
import dev.folio.store.ModelStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * In-process decoding speed through the {@link DecodeScheduler} at several batch sizes: B requests of
 * 200 tokens each submitted at once, aggregate tokens/s, the median of three runs after a warm-up run at the
 * same size; beside each, the machine's floor for that step ({@link Floor}), from the read bandwidth and matrix-product
 * rate measured in the same run. A benchmark: prints, asserts nothing.
 *
 *   java [-Dbench.store=DIR -Dbench.model=NAME] -cp ... dev.folio.bench.DecodeSpeed [intra-op threads] [batch sizes...]
 *
 * The model is the bundled one unless {@code bench.store}/{@code bench.model} name another (bench/pytorch/compare.py
 * --size makes randomly initialised ones of nanoGPT's sizes).
 */
public final class DecodeSpeed {

    /** Timed runs per batch size, after one warm-up run at that size; the median is reported. */
    private static final int REPEATS = Integer.getInteger("bench.repeats", 3);
    /** Tokens per request ({@code bench.tokens}: fewer for the larger sizes, whose steps take a second on two cores). */
    private static final int TOKENS = Integer.getInteger("bench.tokens", 200);

    /** {@code bench.single-thread-below-rows}: a fixed thread rule to compare with the one measured at load (0, the default). */
    private static final int SINGLE_THREAD_BELOW_ROWS = Integer.getInteger("bench.single-thread-below-rows", 0);

    /** "ROMEO:", the prompt of every decoding run. */
    private static final int PROMPT_TOKENS = 6;

    private DecodeSpeed() {}

    public static void main(String[] args) throws Exception {
        DjlOffline.apply();
        OpenMpSpin.apply(); // as the server does
        AtenCpuCapability.apply();
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        Floor floor = Floor.measure();
        System.out.printf("ceilings: read bandwidth %.2f GB/s, float32 matrix product %.1f GFLOP/s (this run)%n", floor.bandwidthGbs(),
                floor.gemmGflops());
        try (LoadedModel model = new ModelStore(Path.of(System.getProperty("bench.store", "model-store")))
                .loadCurrent(System.getProperty("bench.model", "shakespeare-char"));
                DecodeScheduler scheduler = new DecodeScheduler(64, 64, threads, SINGLE_THREAD_BELOW_ROWS, KvBudget.UNLIMITED)) {
            System.out.printf("model %s: %d layers × %d, %d heads, context %d, %d parameters, serving path %s; %s%n", model.metadata().modelName(),
                    model.gpt().config().nLayer(), model.gpt().config().nEmbd(), model.gpt().config().nHead(), model.gpt().config().blockSize(),
                    model.gpt().config().parameterCount(), model.inference().servingPath().name(),
                    SINGLE_THREAD_BELOW_ROWS > 0 ? "one thread below " + SINGLE_THREAD_BELOW_ROWS + " rows, as asked" : model.inference().stepThreads().describe());
            tokensPerSecond(model, scheduler, 4, 100); // warm-up
            int[] longPrompt = DecodingRules.encodePrompt(model, "ROMEO:\nBut soft, what light through yonder window breaks? ".repeat(6).substring(0, 256), null);
            List<Double> ttft = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                long start = System.nanoTime();
                scheduler.submit(model, GenerationRequest.of(longPrompt, SamplingParameters.greedy(1)), GenerationListener.NONE).join();
                ttft.add((System.nanoTime() - start) / 1e6);
            }
            double ttftMs = ttft.subList(5, 20).stream().sorted().toList().get(7);
            System.out.printf("scheduler, time to first token, 256-character prompt: %.1f ms (median of the last 15)%n", ttftMs);
            Floor.Step prefillFloor = floor.prefill(model.gpt().config(), longPrompt.length);
            System.out.printf("floor, time to first token: %.2f ms (%s: %.1f GFLOP, %.0f MB read); Folio at %.2f× the floor%n", prefillFloor.ms(),
                    prefillFloor.bound(), prefillFloor.flops() / 1e9, prefillFloor.bytes() / 1e6, ttftMs / prefillFloor.ms());
            for (int i = 1; i < Math.max(2, args.length); i++) {
                int batch = args.length > 1 ? Integer.parseInt(args[i]) : 1;
                tokensPerSecond(model, scheduler, batch, TOKENS); // warm-up at this batch size (JIT, allocator, caches)
                List<Double> runs = new ArrayList<>();
                for (int r = 0; r < REPEATS; r++) {
                    runs.add(tokensPerSecond(model, scheduler, batch, TOKENS));
                }
                double tps = runs.stream().sorted().toList().get(REPEATS / 2);
                System.out.printf("scheduler, intra-op threads %d, batch %2d × %d tokens: %6.0f tokens/s aggregate, %.2f ms per step (median of %d runs)%n",
                        threads, batch, TOKENS, tps, 1000.0 * batch / tps, REPEATS);
                Floor.Step bound = floor.step(model.gpt().config(), batch, PROMPT_TOKENS + TOKENS / 2); // positions attended, averaged over the run
                System.out.printf("floor, batch %2d: %.2f ms per step (%s: %.0f MB read, %.2f GFLOP), %.0f tokens/s; Folio at %.2f× the floor%n", batch,
                        bound.ms(), bound.bound(), bound.bytes() / 1e6, bound.flops() / 1e9, 1000.0 * batch / bound.ms(), (1000.0 * batch / tps) / bound.ms());
            }
        }
    }

    /** B sampled requests of {@code tokens} tokens from a short prompt, submitted together; aggregate tokens/s. */
    static double tokensPerSecond(LoadedModel model, DecodeScheduler scheduler, int batch, int tokens) {
        int[] prompt = DecodingRules.encodePrompt(model, "ROMEO:", null);
        long start = System.nanoTime();
        List<CompletableFuture<Generation>> futures = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            futures.add(scheduler.submit(model, GenerationRequest.of(prompt, new SamplingParameters(tokens, true, 0.8f, null, null, (long) b, List.of())),
                    GenerationListener.NONE));
        }
        long generated = 0;
        for (CompletableFuture<Generation> future : futures) {
            generated += future.join().tokens().size();
        }
        return generated / ((System.nanoTime() - start) / 1e9);
    }
}
