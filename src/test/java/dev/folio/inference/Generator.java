package dev.folio.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.folio.engine.GradMode;
import dev.folio.model.Gpt;
import dev.folio.model.KvCache;
import dev.folio.store.LoadedModel;
import dev.folio.tokenizer.CharTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Autoregressive generation with a KV cache: one prefill pass over the prompt, then one pass per new
 * token over that token alone. When the context window fills, the oldest half is dropped and the
 * rest re-prefilled (llama.cpp's context shift): positions are learned, so a cache cannot slide.
 * Every array lives in a per-request manager; each step's temporaries in a per-step one.
 *
 * <p>The reference for one request alone, kept with the tests: the decode scheduler ({@link DecodingSequence}) follows
 * its rules ({@link DecodingRules}) and is held to it token for token (DecodeSchedulerTest).
 */
public final class Generator {

    /** Convenience: encode, generate, no streaming. */
    public Generation generate(LoadedModel loaded, String prompt, SamplingParameters parameters) {
        return generate(loaded, GenerationRequest.of(DecodingRules.encodePrompt(loaded, prompt, null), parameters), GenerationListener.NONE);
    }

    /**
     * @throws GenerationCancelledException when the listener reports the caller gone
     */
    public Generation generate(LoadedModel loaded, GenerationRequest request, GenerationListener listener) {
        SamplingParameters parameters = request.sampling();
        CharTokenizer tokenizer = loaded.tokenizer();
        long seed = parameters.seed() != null ? parameters.seed() : ThreadLocalRandom.current().nextLong(0, Long.MAX_VALUE);
        TokenSampler sampler = new TokenSampler(parameters, seed, request.promptIds().length);
        Gpt gpt = loaded.gpt();
        int blockSize = gpt.config().blockSize();
        int[] promptIds = request.promptIds();

        int[] sequence = Arrays.copyOf(promptIds, promptIds.length + parameters.maxNewTokens());
        int length = promptIds.length;
        List<Generation.GeneratedToken> generated = new ArrayList<>();
        List<Generation.PrefillToken> prefill = List.of();
        StringBuilder text = new StringBuilder();
        FinishReason finish = FinishReason.LENGTH;

        try (NDManager requestManager = loaded.model().getNDManager().newSubManager(); GradMode ignored = GradMode.disabled()) {
            ParameterStore ps = new ParameterStore(requestManager, false);
            KvCache cache = KvCache.empty();
            int fed = Math.max(0, length - blockSize); // tokens before this index are outside the window
            while (generated.size() < parameters.maxNewTokens()) {
                if (listener.cancelled()) {
                    cache.close();
                    throw new GenerationCancelledException(generated.size());
                }
                if (cache.length() + (length - fed) > blockSize) {
                    cache.close(); // context shift: keep the newest half of the window and re-prefill it
                    cache = KvCache.empty();
                    fed = length - blockSize / 2;
                }
                float[] logits;
                try (NDManager step = requestManager.newSubManager()) {
                    int[] input = Arrays.copyOfRange(sequence, fed, length);
                    NDArray tokens = step.create(input, new Shape(1, input.length)); // (1,T)
                    Gpt.Step out = gpt.forward(ps, tokens, cache);
                    if (generated.isEmpty() && request.prefillLogprobs()) {
                        prefill = DecodingRules.prefillTokens(tokenizer, input, out.logits().get(0).logSoftmax(-1).toFloatArray());
                    }
                    logits = out.logits().get(0, input.length - 1).toFloatArray(); // (V) at the last position
                    KvCache extended = out.cache().attach(requestManager); // outlives the step's temporaries
                    cache.close();
                    cache = extended;
                }
                fed = length;
                TokenSampler.Choice choice = sampler.next(logits, sequence, length);
                if (choice.end()) { // the grammar is complete
                    var end = Generation.GeneratedToken.endOfSequence(tokenizer.vocabSize(), choice.logprob(),
                            DecodingRules.topTokens(tokenizer, logits, request.topNTokens()));
                    generated.add(end);
                    listener.onToken(end, true);
                    finish = FinishReason.EOS_TOKEN;
                    break;
                }
                sequence[length++] = choice.id();
                var token = new Generation.GeneratedToken(choice.id(), tokenizer.decode(choice.id()), choice.logprob(),
                        DecodingRules.topTokens(tokenizer, logits, request.topNTokens()));
                generated.add(token);
                text.append(token.text());
                boolean stopped = DecodingRules.endsWithStop(text, parameters.stop());
                listener.onToken(token, stopped || generated.size() >= parameters.maxNewTokens());
                if (stopped) {
                    finish = FinishReason.STOP_SEQUENCE;
                    break;
                }
            }
            cache.close();
        }
        Long drawnWith = request.sampling().sampling() ? seed : null; // greedy draws nothing
        return new Generation(text.toString(), List.copyOf(generated), prefill, finish, drawnWith, promptIds.length, loaded.version());
    }
}
