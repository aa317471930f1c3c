package dev.folio.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.folio.model.GradMode;
import dev.folio.model.Gpt;
import dev.folio.model.KvCache;
import dev.folio.store.LoadedModel;
import dev.folio.tokenizer.CharTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * Autoregressive generation with a KV cache: one prefill pass over the prompt, then one pass per new
 * token over that token alone. When the context window fills, the oldest half is dropped and the
 * rest re-prefilled (llama.cpp's context shift): positions are learned, so a cache cannot slide.
 * Every array lives in a per-request manager; each step's temporaries in a per-step one.
 */
public final class Generator {

    /**
     * @param onToken called with each token as it is produced (for streaming); may be a no-op
     */
    public Generation generate(LoadedModel loaded, String prompt, SamplingParameters parameters, Consumer<Generation.GeneratedToken> onToken) {
        return generate(loaded, encodePrompt(loaded, prompt, null), parameters, onToken);
    }

    /**
     * Tokenizes a prompt for this model: unknown characters are named; {@code truncate} keeps only the
     * last tokens (TGI's parameter), and a prompt longer than the context window keeps its last
     * window's worth, as nanoGPT's sampler crops its context.
     */
    public static int[] encodePrompt(LoadedModel loaded, String prompt, Integer truncate) {
        int[] ids = loaded.tokenizer().encode(prompt);
        if (ids.length == 0) {
            throw new IllegalArgumentException("inputs must not be empty");
        }
        int keep = Math.min(loaded.gpt().config().blockSize(), truncate != null ? truncate : Integer.MAX_VALUE);
        return ids.length > keep ? Arrays.copyOfRange(ids, ids.length - keep, ids.length) : ids;
    }

    public Generation generate(LoadedModel loaded, int[] promptIds, SamplingParameters parameters, Consumer<Generation.GeneratedToken> onToken) {
        CharTokenizer tokenizer = loaded.tokenizer();
        long seed = parameters.seed() != null ? parameters.seed() : ThreadLocalRandom.current().nextLong(0, Long.MAX_VALUE);
        TokenSampler sampler = new TokenSampler(parameters, seed);
        Gpt gpt = loaded.gpt();
        int blockSize = gpt.config().blockSize();

        int[] sequence = Arrays.copyOf(promptIds, promptIds.length + parameters.maxNewTokens());
        int length = promptIds.length;
        List<Generation.GeneratedToken> generated = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        FinishReason finish = FinishReason.LENGTH;

        try (NDManager request = loaded.model().getNDManager().newSubManager(); GradMode ignored = GradMode.disabled()) {
            ParameterStore ps = new ParameterStore(request, false);
            KvCache cache = KvCache.empty();
            int fed = Math.max(0, length - blockSize); // tokens before this index are outside the window
            while (generated.size() < parameters.maxNewTokens()) {
                if (cache.length() + (length - fed) > blockSize) {
                    cache.close(); // context shift: keep the newest half of the window and re-prefill it
                    cache = KvCache.empty();
                    fed = length - blockSize / 2;
                }
                float[] logits;
                try (NDManager step = request.newSubManager()) {
                    int[] input = Arrays.copyOfRange(sequence, fed, length);
                    NDArray tokens = step.create(input, new Shape(1, input.length)); // (1,T)
                    Gpt.Step out = gpt.forward(ps, tokens, cache);
                    logits = out.logits().get(0, input.length - 1).toFloatArray(); // (V) at the last position
                    KvCache extended = out.cache().attach(request); // outlives the step's temporaries
                    cache.close();
                    cache = extended;
                }
                fed = length;
                TokenSampler.Choice choice = sampler.next(logits);
                sequence[length++] = choice.id();
                var token = new Generation.GeneratedToken(choice.id(), tokenizer.decode(choice.id()), choice.logprob());
                generated.add(token);
                text.append(token.text());
                onToken.accept(token);
                if (endsWithStop(text, parameters.stop())) {
                    finish = FinishReason.STOP_SEQUENCE;
                    break;
                }
            }
            cache.close();
        }
        return new Generation(text.toString(), List.copyOf(generated), finish, seed, promptIds.length, loaded.version());
    }

    private static boolean endsWithStop(CharSequence text, List<String> stops) {
        for (String stop : stops) {
            if (!stop.isEmpty() && text.length() >= stop.length()
                    && text.subSequence(text.length() - stop.length(), text.length()).toString().equals(stop)) {
                return true;
            }
        }
        return false;
    }
}
