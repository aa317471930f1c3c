package dev.folio.api;

import dev.folio.inference.Generation;
import dev.folio.inference.GenerationListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.BiConsumer;
import java.util.function.IntSupplier;
import org.springframework.stereotype.Component;

/**
 * Folio's generation metrics, per served model (tag {@code model}; Prometheus names in brackets): prompt and generated tokens
 * (folio_prompt_tokens_total, folio_generated_tokens_total), time to first token, inter-token latency
 * and request duration as histogram timers, in-flight generations, and cancelled generations.
 * Requests by route and outcome come from Spring's http_server_requests.
 */
@Component
public class GenerationMetrics {

    private final MeterRegistry registry;
    private final Map<String, ModelMeters> byModel = new ConcurrentHashMap<>();

    public GenerationMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Registers the served models' meters up front, so every series shows (at zero) before the first request. */
    public void register(Iterable<String> models) {
        models.forEach(this::meters);
    }

    /** One served model's meters, each tagged with the model's name. */
    private record ModelMeters(Counter promptTokens, Counter generatedTokens, Counter cancelled, Timer timeToFirstToken,
            Timer interTokenLatency, Timer duration) {}

    private ModelMeters meters(String model) {
        return byModel.computeIfAbsent(model, name -> new ModelMeters(
                Counter.builder("folio.prompt.tokens").tag("model", name).description("prompt tokens processed").register(registry),
                Counter.builder("folio.generated.tokens").tag("model", name).description("tokens generated").register(registry),
                Counter.builder("folio.generations.cancelled").tag("model", name).description("generations stopped because the client went away")
                        .register(registry),
                histogram("folio.generation.time.to.first.token", name, "request start to first generated token"),
                histogram("folio.generation.inter.token.latency", name, "time between consecutive generated tokens"),
                histogram("folio.generation.duration", name, "whole generation, prefill to last token")));
    }

    private Timer histogram(String name, String model, String description) {
        return Timer.builder(name).tag("model", model).description(description).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(60)).register(registry);
    }

    /** Publishes the number of generations running now. */
    public void trackInFlight(IntSupplier inFlight) {
        Gauge.builder("folio.generations.in.flight", inFlight::getAsInt).description("generations admitted now (decoding or waiting)").register(registry);
    }

    /** The decode scheduler's batch: sequences prefilling or decoding, and requests waiting for a place. */
    public void trackScheduler(IntSupplier running, IntSupplier waiting) {
        Gauge.builder("folio.scheduler.running", running::getAsInt).description("sequences in the decode batch (prefilling or decoding)").register(registry);
        Gauge.builder("folio.scheduler.waiting", waiting::getAsInt).description("admitted requests waiting for a place in the batch").register(registry);
    }

    public void trackKvCache(java.util.function.LongSupplier bytes) {
        Gauge.builder("folio.kv.cache", () -> (double) bytes.getAsLong()).baseUnit("bytes")
                .description("attention keys and values the decoding batches hold now").register(registry);
    }

    public void cancelled(String model) {
        meters(model).cancelled().increment();
    }

    /**
     * A listener that times each token and forwards it; {@code clientGone} is polled before every step.
     */
    public GenerationListener listener(String model, int promptLength, BiConsumer<Generation.GeneratedToken, Boolean> forward,
            BooleanSupplier clientGone) {
        ModelMeters meters = meters(model);
        meters.promptTokens().increment(promptLength);
        long start = System.nanoTime();
        return new GenerationListener() {
            private long last = start;

            @Override
            public void onToken(Generation.GeneratedToken token, boolean lastToken) {
                long now = System.nanoTime();
                (last == start ? meters.timeToFirstToken() : meters.interTokenLatency()).record(Duration.ofNanos(now - last));
                last = now;
                meters.generatedTokens().increment();
                forward.accept(token, lastToken);
            }

            @Override
            public boolean cancelled() {
                return clientGone.getAsBoolean();
            }
        };
    }

    public void finished(String model, long startNanos) {
        meters(model).duration().record(Duration.ofNanos(System.nanoTime() - startNanos));
    }
}
