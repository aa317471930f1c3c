package dev.folio.api;

import dev.folio.inference.Generation;
import dev.folio.inference.GenerationListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.BiConsumer;
import java.util.function.IntSupplier;
import org.springframework.stereotype.Component;

/**
 * Folio's generation metrics (Prometheus names in brackets): prompt and generated tokens
 * (folio_prompt_tokens_total, folio_generated_tokens_total), time to first token, inter-token latency
 * and request duration as histogram timers, in-flight generations, and cancelled generations.
 * Requests by route and outcome come from Spring's http_server_requests.
 */
@Component
public class GenerationMetrics {

    private final MeterRegistry registry;
    private final Counter promptTokens;
    private final Counter generatedTokens;
    private final Counter cancelled;
    private final Timer timeToFirstToken;
    private final Timer interTokenLatency;
    private final Timer duration;

    public GenerationMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.promptTokens = Counter.builder("folio.prompt.tokens").description("prompt tokens processed").register(registry);
        this.generatedTokens = Counter.builder("folio.generated.tokens").description("tokens generated").register(registry);
        this.cancelled = Counter.builder("folio.generations.cancelled").description("generations stopped because the client went away").register(registry);
        this.timeToFirstToken = histogram("folio.generation.time.to.first.token", "request start to first generated token");
        this.interTokenLatency = histogram("folio.generation.inter.token.latency", "time between consecutive generated tokens");
        this.duration = histogram("folio.generation.duration", "whole generation, prefill to last token");
    }

    private Timer histogram(String name, String description) {
        return Timer.builder(name).description(description).publishPercentileHistogram()
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

    public void cancelled() {
        cancelled.increment();
    }

    /**
     * A listener that times each token and forwards it; {@code clientGone} is polled before every step.
     */
    public GenerationListener listener(int promptLength, BiConsumer<Generation.GeneratedToken, Boolean> forward, BooleanSupplier clientGone) {
        promptTokens.increment(promptLength);
        long start = System.nanoTime();
        return new GenerationListener() {
            private long last = start;

            @Override
            public void onToken(Generation.GeneratedToken token, boolean lastToken) {
                long now = System.nanoTime();
                (last == start ? timeToFirstToken : interTokenLatency).record(Duration.ofNanos(now - last));
                last = now;
                generatedTokens.increment();
                forward.accept(token, lastToken);
            }

            @Override
            public boolean cancelled() {
                return clientGone.getAsBoolean();
            }
        };
    }

    public void finished(long startNanos) {
        duration.record(Duration.ofNanos(System.nanoTime() - startNanos));
    }
}
