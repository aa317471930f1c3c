package dev.folio.bench;

import dev.folio.engine.AtenCpuCapability;
import dev.folio.engine.DjlOffline;
import dev.folio.engine.OpenMpSpin;
import dev.folio.inference.DecodeScheduler;
import dev.folio.inference.Generation;
import dev.folio.inference.GenerationListener;
import dev.folio.inference.GenerationRequest;
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
 * same size. A benchmark: prints, asserts nothing.
 *
 *   java -cp ... dev.folio.bench.DecodeSpeed [intra-op threads] [batch sizes...]
 */
public final class DecodeSpeed {

    /** Timed runs per batch size, after one warm-up run at that size; the median is reported. */
    private static final int REPEATS = 3;

    private DecodeSpeed() {}

    public static void main(String[] args) throws Exception {
        DjlOffline.apply();
        OpenMpSpin.apply(); // as the server does
        AtenCpuCapability.apply();
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        try (LoadedModel model = new ModelStore(Path.of("model-store")).loadCurrent("shakespeare-char");
                DecodeScheduler scheduler = new DecodeScheduler(64, 64, threads)) {
            tokensPerSecond(model, scheduler, 4, 100); // warm-up
            int[] longPrompt = DecodingRules.encodePrompt(model, "ROMEO:\nBut soft, what light through yonder window breaks? ".repeat(6).substring(0, 256), null);
            List<Double> ttft = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                long start = System.nanoTime();
                scheduler.submit(model, GenerationRequest.of(longPrompt, SamplingParameters.greedy(1)), GenerationListener.NONE).join();
                ttft.add((System.nanoTime() - start) / 1e6);
            }
            System.out.printf("scheduler, time to first token, 256-character prompt: %.1f ms (median of the last 15)%n",
                    ttft.subList(5, 20).stream().sorted().toList().get(7));
            for (int i = 1; i < Math.max(2, args.length); i++) {
                int batch = args.length > 1 ? Integer.parseInt(args[i]) : 1;
                tokensPerSecond(model, scheduler, batch, 200); // warm-up at this batch size (JIT, allocator, caches)
                List<Double> runs = new ArrayList<>();
                for (int r = 0; r < REPEATS; r++) {
                    runs.add(tokensPerSecond(model, scheduler, batch, 200));
                }
                double tps = runs.stream().sorted().toList().get(REPEATS / 2);
                System.out.printf("scheduler, intra-op threads %d, batch %2d × 200 tokens: %6.0f tokens/s aggregate, %.2f ms per step (median of %d runs)%n",
                        threads, batch, tps, 1000.0 * batch / tps, REPEATS);
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
