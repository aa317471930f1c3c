package dev.folio.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.folio.model.Gpt;
import dev.folio.model.KvCache;
import dev.folio.store.LoadedModel;
import dev.folio.tokenizer.CharTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One request inside the {@link DecodeScheduler}: its tokens, its own sampler and random state (so a
 * seeded request draws the same tokens whatever shares its batch), and its prefill in progress.
 * Follows the one-request reference's rules exactly ({@link DecodingRules}; the reference, Generator, is in the tests):
 * window cropping, context shift, stop sequences, one step at a time. Touched only by the scheduler's thread once submitted.
 */
final class DecodingSequence {

    final LoadedModel model;
    final GenerationListener listener;
    final CompletableFuture<Generation> result = new CompletableFuture<>();

    private final GenerationRequest request;
    private final long seed;
    private final TokenSampler sampler;
    private final int blockSize;
    private final int[] sequence;
    private int length;
    private final List<Generation.GeneratedToken> generated = new ArrayList<>();
    private final StringBuilder text = new StringBuilder();
    private List<Generation.PrefillToken> prefill = List.of();
    private FinishReason finish = FinishReason.LENGTH;

    private NDManager manager;
    private int[] pendingInput; // tokens still to prefill (null while decoding)
    private int pendingDone;
    private KvCache prefillCache = KvCache.empty();
    private float[] prefillLogprobs; // (T·V) of the first prefill, when asked
    private int cached; // positions in the cache (the slot's, once decoding)
    private Runnable onRelease = () -> {};

    DecodingSequence(LoadedModel model, GenerationRequest request, GenerationListener listener) {
        this.model = model;
        this.request = request;
        this.listener = listener;
        SamplingParameters parameters = request.sampling();
        this.seed = parameters.seed() != null ? parameters.seed() : ThreadLocalRandom.current().nextLong(0, Long.MAX_VALUE);
        this.sampler = new TokenSampler(parameters, seed, request.promptIds().length);
        this.blockSize = model.gpt().config().blockSize();
        this.sequence = Arrays.copyOf(request.promptIds(), request.promptIds().length + parameters.maxNewTokens());
        this.length = request.promptIds().length;
    }

    /**
     * Takes a native-memory scope for its caches and queues the prompt's last window for prefill; {@code onRelease} runs
     * once, when it completes or fails (its KV memory is given back).
     */
    void start(NDManager parent, Runnable onRelease) {
        this.onRelease = onRelease;
        manager = parent.newSubManager();
        queuePrefill(Math.max(0, length - blockSize));
        if (request.prefillLogprobs()) {
            prefillLogprobs = new float[pendingInput.length * model.tokenizer().vocabSize()];
        }
    }

    private void queuePrefill(int from) {
        pendingInput = Arrays.copyOfRange(sequence, from, length);
        pendingDone = 0;
        prefillCache.close();
        prefillCache = KvCache.empty();
        cached = 0;
    }

    /** Cache positions it can ever hold: its prompt and every token it may add, within the window (it shifts past that). */
    int positionsNeeded() {
        return positionsNeeded(request.promptIds().length, request.sampling().maxNewTokens(), blockSize);
    }

    static int positionsNeeded(int promptLength, int maxNewTokens, int blockSize) {
        return (int) Math.min(blockSize, (long) promptLength + maxNewTokens);
    }

    int generatedCount() {
        return generated.size();
    }

    /**
     * Runs up to {@code maxTokens} more of the pending prefill.
     *
     * @return the last position's logits (V) once the prefill is complete, to choose the next token; null before
     */
    float[] prefillChunk(NDManager step, int maxTokens) {
        int from = pendingDone;
        int to = (int) Math.min(pendingInput.length, (long) from + maxTokens); // maxTokens may be Integer.MAX_VALUE: "the rest"
        NDArray tokens = step.create(Arrays.copyOfRange(pendingInput, from, to), new Shape(1, to - from));
        Gpt.Step out = model.inference().prefill(step, tokens, prefillCache);
        if (prefillLogprobs != null) {
            float[] chunk = out.logits().get(0).logSoftmax(-1).toFloatArray();
            System.arraycopy(chunk, 0, prefillLogprobs, from * model.tokenizer().vocabSize(), chunk.length);
        }
        KvCache extended = out.cache().attach(manager);
        prefillCache.close();
        prefillCache = extended;
        pendingDone = to;
        if (to < pendingInput.length) {
            return null;
        }
        if (prefillLogprobs != null) {
            prefill = DecodingRules.prefillTokens(model.tokenizer(), pendingInput, prefillLogprobs);
            prefillLogprobs = null;
        }
        return out.logits().get(0, to - from - 1).toFloatArray();
    }

    /** Whether its pending prefill has not begun, so it can share a batched prefill pass with others. */
    boolean prefillUnstarted() {
        return pendingInput != null && pendingDone == 0;
    }

    /** Tokens its pending prefill still has to run. */
    int pendingLength() {
        return pendingInput.length - pendingDone;
    }

    int[] pendingInput() {
        return pendingInput;
    }

    /**
     * Completes its prefill with the output of a batched pass ({@link PrefillBatch}).
     *
     * @param cache its own row of the pass's cache, positions [0, L)
     * @param logits its row's logits, (L·V)
     * @return the last position's logits (V), to choose the next token
     */
    float[] completePrefill(KvCache cache, float[] logits) {
        int vocab = model.tokenizer().vocabSize();
        int length = pendingInput.length;
        prefillCache.close();
        prefillCache = cache.attach(manager);
        pendingDone = length;
        if (prefillLogprobs != null) {
            for (int t = 0; t < length; t++) {
                float[] logprobs = TokenSampler.logSoftmax(Arrays.copyOfRange(logits, t * vocab, (t + 1) * vocab));
                System.arraycopy(logprobs, 0, prefillLogprobs, t * vocab, vocab);
            }
            prefill = DecodingRules.prefillTokens(model.tokenizer(), pendingInput, prefillLogprobs);
            prefillLogprobs = null;
        }
        return Arrays.copyOfRange(logits, (length - 1) * vocab, length * vocab);
    }

    /** Hands the finished prefill's cache over (to be copied into a slot) and starts decoding. */
    KvCache takePrefilledCache() {
        KvCache cache = prefillCache;
        cached = cache.length();
        prefillCache = KvCache.empty();
        pendingInput = null;
        return cache;
    }

    /** The window is full: drop its oldest half and re-prefill the rest (Generator's context shift). */
    boolean windowFull() {
        return cached + 1 > blockSize;
    }

    void shiftWindow() {
        queuePrefill(length - blockSize / 2);
    }

    /** The token to feed at the next decoding step. */
    int lastToken() {
        return sequence[length - 1];
    }

    /** The slot position the next decoding step writes. */
    int position() {
        return cached;
    }

    /** The decoding step wrote {@link #lastToken()} at {@link #position()}. */
    void advance() {
        cached++;
    }

    /**
     * Chooses and reports the next token from its logits.
     *
     * @return true when the generation is complete
     */
    boolean accept(float[] logits) {
        TokenSampler.Choice choice = sampler.next(logits, sequence, length);
        CharTokenizer tokenizer = model.tokenizer();
        if (choice.end()) {
            var end = Generation.GeneratedToken.endOfSequence(tokenizer.vocabSize(), choice.logprob(),
                    DecodingRules.topTokens(tokenizer, logits, request.topNTokens()));
            generated.add(end);
            finish = FinishReason.EOS_TOKEN;
            listener.onToken(end, true);
            return true;
        }
        sequence[length++] = choice.id();
        var token = new Generation.GeneratedToken(choice.id(), tokenizer.decode(choice.id()), choice.logprob(),
                DecodingRules.topTokens(tokenizer, logits, request.topNTokens()));
        generated.add(token);
        text.append(token.text());
        boolean stopped = DecodingRules.endsWithStop(text, request.sampling().stop());
        boolean last = stopped || generated.size() >= request.sampling().maxNewTokens();
        listener.onToken(token, last);
        if (stopped) {
            finish = FinishReason.STOP_SEQUENCE;
        }
        return last;
    }

    void complete() {
        release();
        Long drawnWith = request.sampling().sampling() ? seed : null; // greedy draws nothing
        result.complete(new Generation(text.toString(), List.copyOf(generated), prefill, finish, drawnWith, request.promptIds().length,
                model.version()));
    }

    void fail(Throwable error) {
        release();
        result.completeExceptionally(error);
    }

    private void release() {
        prefillCache.close();
        prefillCache = KvCache.empty();
        if (manager != null) {
            manager.close();
        }
        Runnable released = onRelease;
        onRelease = () -> {};
        released.run();
    }
}
