package dev.folio.api;

import dev.folio.FolioProperties;
import dev.folio.grammar.TokenGrammar;
import dev.folio.inference.ConcurrencyLimiter;
import dev.folio.inference.DecodeScheduler;
import dev.folio.inference.Generation;
import dev.folio.inference.GenerationCancelledException;
import dev.folio.inference.GenerationListener;
import dev.folio.inference.GenerationRequest;
import dev.folio.inference.DecodingRules;
import dev.folio.inference.KvBudget;
import dev.folio.inference.LogitAdjustments;
import dev.folio.inference.SamplingParameters;
import dev.folio.inference.TokenRelay;
import dev.folio.store.LoadedModel;
import dev.folio.store.ModelRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import org.springframework.stereotype.Service;

/**
 * Runs one generation for an API route: checks the request against Folio's limits, takes a
 * concurrency permit (429 when none is free) and a lease on the live model, hands the work to the
 * {@link DecodeScheduler} (which batches it with everyone else's) and records metrics.
 */
@Service
public class GenerationService {

    private final ModelRouter router;
    private final DecodeScheduler scheduler;
    private final ConcurrencyLimiter limiter;
    private final GenerationMetrics metrics;
    private final FolioProperties.Generation limits;

    private final Grammars grammars;

    public GenerationService(ModelRouter router, DecodeScheduler scheduler, ConcurrencyLimiter limiter, GenerationMetrics metrics,
            FolioProperties properties, Grammars grammars) {
        this.grammars = grammars;
        this.router = router;
        this.scheduler = scheduler;
        this.limiter = limiter;
        this.metrics = metrics;
        this.limits = properties.generation();
        metrics.register(router.served());
        metrics.trackInFlight(limiter::inFlight);
        metrics.trackScheduler(scheduler::running, scheduler::waiting);
        metrics.trackKvCache(scheduler::kvCacheBytes);
    }

    /** Checks what every generation route shares: prompt length, token budget, stop sequences, top-n, the vocabulary. */
    public ValidGeneration validate(GenerationSpec spec) {
        GenerationSpec.Fields names = spec.fields();
        int tokens = spec.maxNewTokens() != null ? spec.maxNewTokens() : limits.defaultMaxNewTokens();
        if (tokens < 1 || tokens > limits.maxNewTokensLimit()) {
            throw new InvalidRequestException(names.maxNewTokens() + " must be between 1 and " + limits.maxNewTokensLimit() + "; given: "
                    + tokens, names.maxNewTokens());
        }
        List<String> stops = spec.stop();
        if (stops.size() > limits.maxStopSequences()) {
            throw new InvalidRequestException(names.stop() + " must have at most " + limits.maxStopSequences() + " sequences; given: "
                    + stops.size(), names.stop());
        }
        for (String s : stops) {
            if (s == null || s.isEmpty() || s.length() > limits.maxStopSequenceLength()) {
                throw new InvalidRequestException("each stop sequence must have 1 to " + limits.maxStopSequenceLength() + " characters",
                        names.stop());
            }
        }
        if (spec.topNTokens() > limits.maxTopNTokens()) {
            throw new InvalidRequestException(names.topNTokens() + " must be at most " + limits.maxTopNTokens() + "; given: "
                    + spec.topNTokens(), names.topNTokens());
        }
        ModelRegistry registry = router.resolve(spec.model(), "model");
        // one lease, kept by the validated request until it has run: its prompt is made and encoded once, on the version that runs it
        ModelRegistry.Lease lease = ModelVersionHeader.lease(registry);
        try {
            LoadedModel model = lease.model();
            GenerationSpec.Prompt made = spec.prompt().on(model);
            String inputs = made.text();
            if (inputs == null || inputs.isEmpty()) {
                throw new InvalidRequestException(names.inputs() + " must not be empty", names.inputs());
            }
            if (inputs.length() > limits.maxInputLength()) {
                throw new InvalidRequestException(names.inputs() + " must be at most " + limits.maxInputLength() + " characters; given: "
                        + inputs.length(), names.inputs());
            }
            int[] prompt = encode(model, inputs, spec.truncate(), names.inputs()); // unknown characters answer 422 before any stream starts
            int positions = KvBudget.positionsNeeded(model.gpt().config(), prompt.length, tokens);
            if (!scheduler.kvBudget().fitsAlone(model.gpt().config(), positions)) { // it would wait for ever
                throw new InvalidRequestException(scheduler.kvBudget().refusal(model.gpt().config(), positions), names.maxNewTokens());
            }
            LogitAdjustments adjustments = adjustments(spec, model.tokenizer().vocabulary());
            List<String> allStops = new ArrayList<>(made.modelStop());
            allStops.addAll(stops);
            SamplingParameters sampling = InvalidRequestException.whenRefused(null, "", () -> new SamplingParameters(tokens, spec.doSample(),
                    spec.temperature() != null ? spec.temperature() : 1f, spec.topK(), spec.topP(), spec.seed(), allStops,
                    spec.repetitionPenalty() != null ? spec.repetitionPenalty() : 1f, adjustments));
            return new ValidGeneration(prompt, sampling, spec.topNTokens(), spec.prefillLogprobs(), model.version(), VersionHold.of(lease));
        } catch (RuntimeException e) {
            lease.close();
            throw e;
        }
    }

    /**
     * Refuses more samples of one prompt than folio.generation.max-best-of: the one rule for TGI's best_of and OpenAI's n
     * and best_of.
     */
    public void checkSamples(int samples, String field) {
        if (samples > limits.maxBestOf()) {
            throw new InvalidRequestException(field + " must be at most " + limits.maxBestOf() + "; given: " + samples, field);
        }
    }

    /** The processors beyond temperature and truncation: logit bias (ids checked against the vocabulary), penalties, typical-p, grammar. */
    private LogitAdjustments adjustments(GenerationSpec spec, String vocabulary) {
        Map<Integer, Float> bias = new HashMap<>();
        for (Map.Entry<String, Float> entry : spec.logitBias().entrySet()) {
            int id;
            try {
                id = Integer.parseInt(entry.getKey().strip());
            } catch (NumberFormatException e) {
                throw new InvalidRequestException("logit_bias keys are token ids; given: '" + entry.getKey() + "'", "logit_bias");
            }
            if (id < 0 || id >= vocabulary.length()) {
                throw new InvalidRequestException("logit_bias: token id " + id + " is not in the vocabulary (ids 0 to " + (vocabulary.length() - 1)
                        + "; /tokenize gives a text's ids)", "logit_bias");
            }
            Float value = entry.getValue();
            if (value == null) { // the range is LogitAdjustments' rule, said once there
                throw new InvalidRequestException("logit_bias values must be numbers; given null for token " + id, "logit_bias");
            }
            bias.put(id, value);
        }
        TokenGrammar grammar = spec.grammar() == null ? null : grammars.compile(spec.grammar(), vocabulary);
        return InvalidRequestException.whenRefused(null, "", () -> new LogitAdjustments(bias, orZero(spec.presencePenalty()),
                orZero(spec.frequencyPenalty()), orZero(spec.tgiFrequencyPenalty()), spec.typicalP(), grammar));
    }

    private static float orZero(Float value) {
        return value == null ? 0f : value;
    }

    /** Runs a job and waits for the whole generation (nothing to relay token by token); a client that leaves cancels it. */
    public Generation run(ValidGeneration job, ClientConnection client) {
        return runTogether(List.of(job), client).get(0);
    }

    /**
     * Runs several jobs at once (OpenAI's {@code n} and prompt lists) so they share the decoding batch rather than
     * queue behind each other: one permit, one model version for all (they are all for one model). The scheduler asks
     * {@code client} before every step, so a client that leaves frees every slot of the request within a step.
     *
     * @throws GenerationCancelledException when the client left
     */
    public List<Generation> runTogether(List<ValidGeneration> jobs, ClientConnection client) {
        try (ConcurrencyLimiter.Permit ignored = limiter.acquire()) {
            String name = jobs.get(0).model().metadata().modelName();
            long start = System.nanoTime();
            AtomicBoolean abandoned = new AtomicBoolean(); // one sequence failed: the others stop too, nobody waits for them
            BooleanSupplier stop = () -> abandoned.get() || client.gone();
            List<CompletableFuture<Generation>> running = new ArrayList<>();
            try {
                for (ValidGeneration job : jobs) {
                    int[] prompt = job.promptIds();
                    CompletableFuture<Generation> result = scheduler.submit(job.model(),
                            new GenerationRequest(prompt, job.sampling(), job.topNTokens(), job.prefillLogprobs()),
                            metrics.listener(name, prompt.length, (token, last) -> {}, stop)); // counts and times; never blocks
                    result.whenComplete((generation, error) -> {
                        if (error != null) {
                            abandoned.set(true);
                        }
                    });
                    running.add(result);
                }
            } catch (RuntimeException e) {
                abandoned.set(true);
                awaitQuietly(running);
                throw e;
            }
            awaitQuietly(running); // every sequence has left the scheduler before its version's lease closes
            client.release();
            List<Generation> generations = new ArrayList<>();
            RuntimeException failure = null;
            for (CompletableFuture<Generation> result : running) {
                try {
                    generations.add(DecodeScheduler.await(result));
                    metrics.finished(name, start);
                } catch (GenerationCancelledException e) {
                    failure = failure == null ? e : failure;
                } catch (RuntimeException e) {
                    failure = failure instanceof GenerationCancelledException || failure == null ? e : failure; // the cause, not its siblings' cancellation
                }
            }
            if (failure instanceof GenerationCancelledException) {
                metrics.cancelled(name);
            }
            if (failure != null) {
                throw failure;
            }
            return generations;
        } finally {
            client.release();
            jobs.forEach(ValidGeneration::close);
        }
    }

    private static void awaitQuietly(List<CompletableFuture<Generation>> running) {
        CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).handle((ignored, error) -> null).join();
    }

    /** Takes a permit now (so 429 is answered before a stream starts); the caller closes it. */
    public ConcurrencyLimiter.Permit admit() {
        return limiter.acquire();
    }

    /** Runs a job under a permit the caller already holds, on the version it was validated against. */
    public Generation runAdmitted(ValidGeneration job, BiConsumer<Generation.GeneratedToken, Boolean> onToken, BooleanSupplier clientGone) {
        try (job) {
            return run(job, job.model(), onToken, clientGone);
        }
    }

    /** Queues the job on the decode scheduler and relays its tokens to {@code onToken} on this thread. */
    private Generation run(ValidGeneration job, LoadedModel model, BiConsumer<Generation.GeneratedToken, Boolean> onToken, BooleanSupplier clientGone) {
        int[] prompt = job.promptIds();
        long start = System.nanoTime();
        try {
            GenerationListener timed = metrics.listener(model.metadata().modelName(), prompt.length, onToken, clientGone);
            TokenRelay relay = new TokenRelay(clientGone);
            Generation generation = relay.deliver(scheduler.submit(model,
                    new GenerationRequest(prompt, job.sampling(), job.topNTokens(), job.prefillLogprobs()), relay), timed::onToken);
            metrics.finished(model.metadata().modelName(), start);
            return generation;
        } catch (GenerationCancelledException e) {
            metrics.cancelled(model.metadata().modelName());
            throw e;
        }
    }

    private static int[] encode(LoadedModel model, String inputs, Integer truncate, String field) {
        return InvalidRequestException.whenRefused(field, field + ": ", () -> DecodingRules.encodePrompt(model, inputs, truncate));
    }
}
