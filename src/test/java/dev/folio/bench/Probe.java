package dev.folio.bench;

import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import dev.folio.model.Gpt;
import dev.folio.model.GptConfig;
import dev.folio.tokenizer.CharTokenizer;
import dev.folio.training.TrainingConfig;
import dev.folio.training.TrainingListener;
import dev.folio.training.TrainingRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

public class Probe {
    public static void main(String[] a) throws Exception {
        String text = Files.readString(Path.of("../shared/data/tinyshakespeare.txt"));
        CharTokenizer tok = CharTokenizer.fromCorpus(text);
        int[] ids = tok.encode(text);
        int n = (int) (ids.length * 0.9);
        int layers = Integer.parseInt(a[0]), heads = Integer.parseInt(a[1]), emb = Integer.parseInt(a[2]), block = Integer.parseInt(a[3]), batch = Integer.parseInt(a[4]), steps = Integer.parseInt(a[5]);
        GptConfig cfg = new GptConfig(tok.vocabSize(), block, layers, heads, emb, 0f, false);
        try (Model model = Model.newInstance("probe")) {
            Gpt gpt = new Gpt(cfg);
            model.setBlock(gpt);
            gpt.initialize(model.getNDManager());
            TrainingConfig tc = new TrainingConfig(batch, steps, 1e-3f, 1e-4f, Math.min(100, steps / 10), 0.1f, 0.9f, 0.99f, 1f, 1_000_000, 5, 1, null);
            TrainingRun run = new TrainingRun(gpt, model.getNDManager(), Arrays.copyOf(ids, n), Arrays.copyOfRange(ids, n, ids.length), tc);
            long[] t0 = {System.nanoTime()};
            var r = run.run(new TrainingListener() {
                public void onStep(StepReport s) {
                    if (s.step() % 10 == 0) {
                        long now = System.nanoTime();
                        System.out.printf("step %d loss %.3f norm %.2f lr %.5f %.1f ms/step %.0f tok/s%n", s.step(), s.loss(), s.gradNorm(), s.learningRate(), (now - t0[0]) / 1e6 / 10, s.tokensPerSecond());
                        t0[0] = now;
                    }
                }
            });
            System.out.println(r);
            System.out.println("params " + cfg.parameterCount());
        }
    }
}
