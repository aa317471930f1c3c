package dev.folio.api;

import dev.folio.FolioProperties;
import dev.folio.inference.ConcurrencyLimiter;
import dev.folio.inference.DecodeScheduler;
import dev.folio.inference.Generation;
import dev.folio.inference.GenerationCancelledException;
import dev.folio.inference.GenerationListener;
import dev.folio.inference.GenerationRequest;
import dev.folio.inference.Generator;
import dev.folio.inference.SamplingParameters;
import dev.folio.inference.TokenRelay;
import dev.folio.store.LoadedModel;
import dev.folio.store.ModelRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.BiConsumer;
import org.springframework.stereotype.Service;

/**
 * Runs one generation for an API route: checks the request against Folio's limits, takes a
 * concurrency permit (429 when none is free) and a lease on the live model, hands the work to the
 * {@link DecodeScheduler} (which batches it with everyone else's) and records metrics.
 */
@Service
public class GenerationService {

    private final ModelRegistry registry;
    private final DecodeScheduler scheduler;
    private final ConcurrencyLimiter limiter;
    private final GenerationMetrics metrics;
    private final FolioProperties.Generation limits;

    public GenerationService(ModelRegistry registry, DecodeScheduler scheduler, ConcurrencyLimiter limiter, GenerationMetrics metrics,
            FolioProperties properties) {
        this.registry = registry;
        this.scheduler = scheduler;
        this.limiter = limiter;
        this.metrics = metrics;
        this.limits = properties.generation();
        metrics.trackInFlight(limiter::inFlight);
        metrics.trackScheduler(scheduler::running, scheduler::waiting);
    }

    /** A validated request, ready to run. */
    public record Job(String inputs, Integer truncate, SamplingParameters sampling, int topNTokens, boolean prefillLogprobs) {}

    /** Checks what every generation route shares: prompt length, token budget, stop sequences, top-n. */
    public Job job(String inputs, Integer truncate, Integer maxNewTokens, boolean doSample, Float temperature, Integer topK, Float topP,
            Long seed, List<String> stop, Float repetitionPenalty, int topNTokens, boolean prefillLogprobs) {
        if (inputs == null || inputs.isEmpty()) {
            throw new InvalidRequestException("inputs must not be empty", "inputs");
        }
        if (inputs.length() > limits.maxInputLength()) {
            throw new InvalidRequestException("inputs must be at most " + limits.maxInputLength() + " characters; given: " + inputs.length(), "inputs");
        }
        int tokens = maxNewTokens != null ? maxNewTokens : limits.defaultMaxNewTokens();
        if (tokens < 1 || tokens > limits.maxNewTokensLimit()) {
            throw new InvalidRequestException("max_new_tokens must be between 1 and " + limits.maxNewTokensLimit() + "; given: " + tokens, "max_new_tokens");
        }
        List<String> stops = stop != null ? stop : List.of();
        if (stops.size() > limits.maxStopSequences()) {
            throw new InvalidRequestException("stop must have at most " + limits.maxStopSequences() + " sequences; given: " + stops.size(), "stop");
        }
        for (String s : stops) {
            if (s == null || s.isEmpty() || s.length() > limits.maxStopSequenceLength()) {
                throw new InvalidRequestException("each stop sequence must have 1 to " + limits.maxStopSequenceLength() + " characters", "stop");
            }
        }
        if (topNTokens > limits.maxTopNTokens()) {
            throw new InvalidRequestException("top_n_tokens must be at most " + limits.maxTopNTokens() + "; given: " + topNTokens, "top_n_tokens");
        }
        try (ModelRegistry.Lease lease = registry.acquire()) {
            encode(lease.model(), inputs, truncate); // unknown characters answer 422 before any stream starts
        }
        SamplingParameters sampling;
        try {
            sampling = new SamplingParameters(tokens, doSample, temperature != null ? temperature : 1f, topK, topP, seed,
                    stops, repetitionPenalty != null ? repetitionPenalty : 1f);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage());
        }
        return new Job(inputs, truncate, sampling, topNTokens, prefillLogprobs);
    }

    /** Runs a job and waits for the whole generation (nothing to relay token by token). */
    public Generation run(Job job) {
        return runTogether(List.of(job)).get(0);
    }

    /**
     * Runs several jobs at once (OpenAI's {@code n} and prompt lists) so they share the decoding batch rather than
     * queue behind each other: one permit, one model version for all.
     */
    public List<Generation> runTogether(List<Job> jobs) {
        try (ConcurrencyLimiter.Permit ignored = limiter.acquire(); ModelRegistry.Lease lease = registry.acquire()) {
            LoadedModel model = lease.model();
            long start = System.nanoTime();
            List<CompletableFuture<Generation>> running = new ArrayList<>();
            for (Job job : jobs) {
                int[] prompt = encode(model, job.inputs(), job.truncate());
                running.add(scheduler.submit(model, new GenerationRequest(prompt, job.sampling(), job.topNTokens(), job.prefillLogprobs()),
                        metrics.listener(prompt.length, (token, last) -> {}, () -> false))); // the listener only counts and times: it never blocks
            }
            List<Generation> generations = new ArrayList<>();
            for (CompletableFuture<Generation> result : running) {
                generations.add(DecodeScheduler.await(result));
                metrics.finished(start);
            }
            return generations;
        }
    }

    /** Takes a permit now (so 429 is answered before a stream starts); the caller closes it. */
    public ConcurrencyLimiter.Permit admit() {
        return limiter.acquire();
    }

    /** Runs a job under a permit the caller already holds. */
    public Generation runAdmitted(Job job, BiConsumer<Generation.GeneratedToken, Boolean> onToken, BooleanSupplier clientGone) {
        try (ModelRegistry.Lease lease = registry.acquire()) {
            return run(job, lease.model(), onToken, clientGone);
        }
    }

    /** Queues the job on the decode scheduler and relays its tokens to {@code onToken} on this thread. */
    private Generation run(Job job, LoadedModel model, BiConsumer<Generation.GeneratedToken, Boolean> onToken, BooleanSupplier clientGone) {
        int[] prompt = encode(model, job.inputs(), job.truncate());
        long start = System.nanoTime();
        try {
            GenerationListener timed = metrics.listener(prompt.length, onToken, clientGone);
            TokenRelay relay = new TokenRelay(clientGone);
            Generation generation = relay.deliver(scheduler.submit(model,
                    new GenerationRequest(prompt, job.sampling(), job.topNTokens(), job.prefillLogprobs()), relay), timed::onToken);
            metrics.finished(start);
            return generation;
        } catch (GenerationCancelledException e) {
            metrics.cancelled();
            throw e;
        }
    }

    private static int[] encode(LoadedModel model, String inputs, Integer truncate) {
        try {
            return Generator.encodePrompt(model, inputs, truncate);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage(), "inputs");
        }
    }
}
