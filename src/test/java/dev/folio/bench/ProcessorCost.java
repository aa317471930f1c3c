package dev.folio.bench;

import dev.folio.engine.AtenCpuCapability;
import dev.folio.engine.DjlOffline;
import dev.folio.engine.OpenMpSpin;
import dev.folio.grammar.GrammarLimits;
import dev.folio.grammar.TokenGrammar;
import dev.folio.inference.DecodeScheduler;
import dev.folio.inference.Generation;
import dev.folio.inference.GenerationListener;
import dev.folio.inference.GenerationRequest;
import dev.folio.inference.DecodingRules;
import dev.folio.inference.LogitAdjustments;
import dev.folio.inference.SamplingParameters;
import dev.folio.store.LoadedModel;
import dev.folio.store.ModelStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What the logits processors cost a batched decoding step: a batch of 32 × 200 tokens with no processors, then with every
 * sequence under a grammar (a permissive regex, so every step is masked and the texts run to the budget), then with bias and penalties, in
 * alternating rounds (the machine's speed drifts). A benchmark: prints, asserts nothing.
 *
 *   java -cp ... dev.folio.bench.ProcessorCost [rounds]
 */
public final class ProcessorCost {

    /**
     * Any text without '$', '&' or '3': every step is masked, and the model's favourite is (almost) never outside, so the
     * text runs to the budget and the rounds compare equal numbers of steps.
     */
    static final String OPEN_REGEX = "[A-Za-z ,.;:'!?\\n-]*";

    private ProcessorCost() {}

    public static void main(String[] args) throws Exception {
        DjlOffline.apply();
        OpenMpSpin.apply();
        AtenCpuCapability.apply();
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        try (LoadedModel model = new ModelStore(Path.of("model-store")).loadCurrent("shakespeare-char");
                DecodeScheduler scheduler = new DecodeScheduler(64, 64, 2)) {
            Result r = measure(model, scheduler, rounds);
            System.out.printf("batch 32 × 200 tokens, median of %d alternating rounds: %.2f ms/step plain, %.2f with a grammar on every "
                    + "sequence (%+.1f%%), %.2f with logit bias and penalties (%+.1f%%)%n", rounds, r.plainMs(), r.grammarMs(),
                    100 * (r.grammarMs() / r.plainMs() - 1), r.penaltiesMs(), 100 * (r.penaltiesMs() / r.plainMs() - 1));
        }
    }

    /** Milliseconds per batched step, medians over the rounds. */
    record Result(double plainMs, double grammarMs, double penaltiesMs) {}

    static Result measure(LoadedModel model, DecodeScheduler scheduler, int rounds) {
        TokenGrammar grammar = TokenGrammar.regex(OPEN_REGEX, model.tokenizer().vocabulary(), GrammarLimits.DEFAULT);
        LogitAdjustments grammars = new LogitAdjustments(Map.of(), 0f, 0f, 0f, null, grammar);
        LogitAdjustments penalties = new LogitAdjustments(Map.of(1, -5f, 2, 3f), 0.5f, 0.5f, 0f, null, null);
        stepMs(model, scheduler, LogitAdjustments.NONE); // warm-up
        stepMs(model, scheduler, grammars);
        List<Double> plain = new ArrayList<>();
        List<Double> constrained = new ArrayList<>();
        List<Double> penalised = new ArrayList<>();
        for (int i = 0; i < rounds; i++) { // the order rotates, so none always runs first
            for (int k = 0; k < 3; k++) {
                switch ((i + k) % 3) {
                    case 0 -> plain.add(stepMs(model, scheduler, LogitAdjustments.NONE));
                    case 1 -> constrained.add(stepMs(model, scheduler, grammars));
                    default -> penalised.add(stepMs(model, scheduler, penalties));
                }
            }
        }
        return new Result(median(plain), median(constrained), median(penalised));
    }

    private static double stepMs(LoadedModel model, DecodeScheduler scheduler, LogitAdjustments adjustments) {
        int[] prompt = DecodingRules.encodePrompt(model, "ROMEO:\n", null);
        int batch = 32;
        int tokens = 200;
        long start = System.nanoTime();
        List<CompletableFuture<Generation>> futures = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            futures.add(scheduler.submit(model, GenerationRequest.of(prompt,
                    new SamplingParameters(tokens, true, 0.8f, null, null, (long) b, List.of(), 1f, adjustments)), GenerationListener.NONE));
        }
        int steps = 0;
        for (CompletableFuture<Generation> future : futures) {
            steps = Math.max(steps, future.join().tokens().size());
        }
        return (System.nanoTime() - start) / 1e6 / steps;
    }

    private static double median(List<Double> values) {
        return values.stream().sorted().toList().get(values.size() / 2);
    }
}
