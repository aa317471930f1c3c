package dev.folio.bench;

import ai.djl.pytorch.jni.JniUtils;
import dev.folio.DjlOffline;
import dev.folio.inference.Generation;
import dev.folio.inference.GenerationListener;
import dev.folio.inference.GenerationRequest;
import dev.folio.inference.Generator;
import dev.folio.inference.SamplingParameters;
import dev.folio.store.LoadedModel;
import dev.folio.store.ModelStore;
import java.nio.file.Path;
import java.util.List;

/**
 * Single-stream decode speed of the bundled model, in-process (a benchmark: prints figures, asserts nothing).
 *
 *   java -cp target/classes:target/test-classes:$(cat cp.txt) dev.folio.bench.DecodeSpeed [threads]
 */
public final class DecodeSpeed {

    public static void main(String[] args) throws Exception {
        DjlOffline.apply();
        try (LoadedModel model = new ModelStore(Path.of("model-store")).loadCurrent("shakespeare-char")) {
            if (args.length > 0) {
                JniUtils.setNumThreads(Integer.parseInt(args[0]));
            }
            Generator generator = new Generator();
            int[] prompt = Generator.encodePrompt(model, "ROMEO:", null);
            SamplingParameters params = new SamplingParameters(250, true, 0.8f, null, null, 1L, List.of());
            for (int warm = 0; warm < 3; warm++) {
                generator.generate(model, GenerationRequest.of(prompt, params), GenerationListener.NONE);
            }
            int runs = 5;
            long tokens = 0;
            long start = System.nanoTime();
            for (int i = 0; i < runs; i++) {
                Generation g = generator.generate(model, GenerationRequest.of(prompt, params), GenerationListener.NONE);
                tokens += g.tokens().size();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("decode, batch 1, KV cache, 250 tokens from a 6-token prompt: %.0f tokens/s (%.2f ms/token), intra-op threads %d%n",
                    tokens / seconds, seconds * 1000 / tokens, JniUtils.getNumThreads());
        }
    }
}
