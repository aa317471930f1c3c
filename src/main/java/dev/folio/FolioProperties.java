package dev.folio;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Folio's settings, under {@code folio.} in application.yaml.
 *
 * @param store where models live and which one to serve
 * @param generation limits and defaults for generation requests (all published in {@code /info})
 * @param api access to the inference routes
 */
@ConfigurationProperties("folio")
public record FolioProperties(@DefaultValue Store store, @DefaultValue Generation generation, @DefaultValue Api api,
        @DefaultValue Admin admin, @DefaultValue Training training, @DefaultValue Chat chat) {

    /**
     * The chat route.
     *
     * @param speakers who speaks a message that names nobody, per role (a template reads them as {@code speakers})
     * @param defaultMaxTokens a reply's budget when the request does not say (a reply usually ends sooner, at the end of its speech)
     * @param maxLoopIterations loop iterations one template render may run, summed over all its loops, nested or not
     * @param maxRenderTime how long one template render may take
     * @param maxStringLength the longest string a template may build (and the largest size a filter may be asked for)
     * @param maxOutputBytes the largest prompt a template may render, in UTF-8 bytes
     * @param renderThreads threads that render chat templates (a fixed set: renders never take more cores than this)
     * @param maxQueuedRenders renders waiting for a thread; beyond, 429 at once
     */
    public record Chat(@DefaultValue Speakers speakers, @DefaultValue("400") int defaultMaxTokens,
            @DefaultValue("100000") long maxLoopIterations, @DefaultValue("2s") Duration maxRenderTime,
            @DefaultValue("100000") long maxStringLength, @DefaultValue("1000000") long maxOutputBytes,
            @DefaultValue("1") int renderThreads, @DefaultValue("64") int maxQueuedRenders) {

        public dev.folio.chat.TemplateLimits templateLimits() {
            return new dev.folio.chat.TemplateLimits(maxLoopIterations, maxRenderTime, maxStringLength, maxOutputBytes);
        }
    }

    /**
     * @param user the user's default speaker
     * @param assistant the model's default speaker
     */
    public record Speakers(@DefaultValue("ROMEO") String user, @DefaultValue("JULIET") String assistant) {

        public java.util.Map<String, String> byRole() {
            return java.util.Map.of("user", user, "assistant", assistant);
        }
    }

    /**
     * @param path model store root
     * @param model the default model: what routes that name no model serve (and what scheduled training trains)
     * @param models the models to serve; empty (the default): every model in the store
     * @param watchInterval how often the {@code current} pointer is checked for a new version (hot reload)
     * @param keepVersions retention: the newest N versions are kept (plus current, previous and pinned)
     * @param pinned versions retention never deletes
     */
    public record Store(@DefaultValue("model-store") Path path, @DefaultValue("shakespeare-char") String model, @DefaultValue List<String> models,
            @DefaultValue("2s") Duration watchInterval, @DefaultValue("5") int keepVersions, @DefaultValue List<String> pinned) {}

    /** @param key bearer key of the admin routes; unset, they answer 403 (closed, never open) */
    public record Admin(String key) {}

    /**
     * The scheduled training job.
     *
     * @param schedule Spring cron expression; "-" (the default) turns the schedule off
     * @param corpus the corpus file; without one, no run starts (scheduled or through the admin API)
     * @param fromScratch train a new model rather than fine-tune the served one
     * @param maxSteps step budget of one run
     * @param maxDuration wall-time budget of one run
     * @param improvementMargin publish only if the new validation loss is below the served one's by more than this
     * @param threads libtorch intra-op threads for the training thread, so serving keeps a share of the cores
     * @param checkpointInterval steps between resumable checkpoints
     * @param evalBatches validation batches for the gate (the same batches for both models)
     * @param learningRate peak learning rate (fine-tuning usually wants less than training from scratch)
     * @param batchSize sequences per step
     * @param seed seeds a run's weights (from scratch), batches and dropout
     * @param corpusDir where named corpora live (uploaded through {@code PUT /admin/corpora/{name}}); default {@code <store path>/corpora}
     * @param maxCorpusBytes the largest corpus an upload may be
     */
    public record Training(@DefaultValue("-") String schedule, Path corpus, @DefaultValue("false") boolean fromScratch,
            @DefaultValue("500") int maxSteps, @DefaultValue("30m") Duration maxDuration, @DefaultValue("0.001") double improvementMargin,
            @DefaultValue("1") int threads, @DefaultValue("100") int checkpointInterval, @DefaultValue("50") int evalBatches,
            @DefaultValue("3e-4") float learningRate, @DefaultValue("16") int batchSize, @DefaultValue("1337") long seed,
            Path corpusDir, @DefaultValue("8388608") long maxCorpusBytes) {}

    /**
     * @param defaultMaxNewTokens used when a request does not say
     * @param maxNewTokensLimit the most a request may ask for
     * @param maxInputLength the longest prompt accepted, in characters (only the last context window of it is used)
     * @param maxStopSequences stop sequences per request
     * @param maxStopSequenceLength characters per stop sequence
     * @param maxTopNTokens alternatives per token (top_n_tokens, logprobs, top_n)
     * @param maxConcurrentRequests generations admitted at once, decoding or waiting for a place in the batch
     *     (TGI's meaning); more get 429 at once, never a queue that grows without bound
     * @param maxBatchSize sequences decoded together in one forward pass; the rest of the admitted wait in order
     * @param prefillChunk prompt tokens prefilled per scheduler step while other sequences are decoding
     * @param scoringThreads threads that score {@code /logits} texts, one libtorch thread each
     * @param maxConcurrentScoring {@code /logits} texts admitted at once, scoring or waiting for a thread; more get 429 at once
     * @param maxScoringResponseBytes the largest answer a scoring request ({@code /logits}, echo with logprobs) may ask for, as
     *     estimated from its text and options before any scoring; beyond, 422 saying how to ask for less
     * @param maxRequestBytes request bodies larger than this get 413
     * @param intraOpThreads libtorch intra-op threads of the decode scheduler's thread (0: libtorch's default)
     * @param maxGrammarLength the longest regex or JSON Schema a grammar may be, in characters
     * @param maxGrammarStates the most automaton states a compiled grammar may have (beyond, 422: never a hang or an out-of-memory)
     * @param maxBestOf the most samples best_of may ask for
     * @param grammarThreads threads that compile grammars (a fixed set, so compiling never takes the decode scheduler's core)
     * @param maxQueuedGrammars grammars waiting for a compile thread; beyond, 429 at once
     * @param grammarCompileTimeout how long compiling one grammar may take; beyond, it is stopped and refused (422, and remembered)
     * @param grammarCacheSize compiled grammars and refusals remembered, most recently used first
     * @param kvMemoryBudget the attention keys and values each served model's decoding batch may hold; requests are
     *     admitted while it holds them at their longest (prompt and max_new_tokens), the rest wait in order. Unset: a
     *     fraction of the memory the process may use
     * @param kvMemoryFraction that fraction, of the machine's memory or the container's limit
     * @param singleThreadBelowRows decoding steps of fewer rows run on one libtorch thread, larger ones on
     *     {@code intraOpThreads}; 0 (the default): as measured for each model on this machine when it loads
     */
    public record Generation(
            @DefaultValue("100") int defaultMaxNewTokens,
            @DefaultValue("2048") int maxNewTokensLimit,
            @DefaultValue("16384") int maxInputLength,
            @DefaultValue("4") int maxStopSequences,
            @DefaultValue("64") int maxStopSequenceLength,
            @DefaultValue("10") int maxTopNTokens,
            @DefaultValue("128") int maxConcurrentRequests,
            @DefaultValue("64") int maxBatchSize,
            @DefaultValue("64") int prefillChunk,
            @DefaultValue("1") int scoringThreads,
            @DefaultValue("16") int maxConcurrentScoring,
            @DefaultValue("4194304") long maxScoringResponseBytes,
            @DefaultValue("262144") long maxRequestBytes,
            @DefaultValue("2") int intraOpThreads,
            @DefaultValue("4096") int maxGrammarLength,
            @DefaultValue("20000") int maxGrammarStates,
            @DefaultValue("8") int maxBestOf,
            @DefaultValue("1") int grammarThreads,
            @DefaultValue("16") int maxQueuedGrammars,
            @DefaultValue("1s") Duration grammarCompileTimeout,
            @DefaultValue("256") int grammarCacheSize,
            org.springframework.util.unit.DataSize kvMemoryBudget,
            @DefaultValue("0.25") double kvMemoryFraction,
            @DefaultValue("0") int singleThreadBelowRows) {

        /** The KV memory budget these settings give. */
        public dev.folio.inference.KvBudget kvBudget() {
            return dev.folio.inference.KvBudget.of(kvMemoryBudget == null ? null : kvMemoryBudget.toBytes(), kvMemoryFraction);
        }
    }

    /** @param key when set, inference routes need {@code Authorization: Bearer <key>}; unset, they are open (as TGI) */
    public record Api(String key) {}
}
