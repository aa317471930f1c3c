package dev.folio.api;

import dev.folio.FolioProperties;
import dev.folio.api.openai.OpenAiRunner;
import dev.folio.inference.ConcurrencyLimiter;
import dev.folio.inference.DecodeScheduler;
import dev.folio.store.ModelRegistries;
import dev.folio.store.TestModels;
import dev.folio.store.TestStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * The request pipeline without an HTTP server, for tests of validation and the OpenAI runner at their own level: the same
 * parts a server wires (the real model, decode scheduler and limits), over a store with the tiny model. Settings are given
 * as under {@code folio.} in application.yaml; the rest keep their defaults. Whole answers only: a stream needs a servlet
 * request, which the HTTP tests have.
 */
public final class RequestPipeline implements AutoCloseable {

    private final FolioProperties properties;
    private final ModelRegistries registries;
    private final DecodeScheduler scheduler;
    private final Grammars grammars;
    private final ExecutorService executor;
    private final GenerationService service;
    private final OpenAiRunner runner;

    private RequestPipeline(FolioProperties properties, TestStore store) throws IOException {
        this.properties = properties;
        this.registries = ModelRegistries.load(store.store(), TestModels.NAME, List.of());
        FolioProperties.Generation generation = properties.generation();
        this.scheduler = new DecodeScheduler(generation.maxBatchSize(), generation.prefillChunk(), generation.intraOpThreads());
        this.grammars = new Grammars(properties);
        this.executor = Executors.newFixedThreadPool(2);
        this.service = new GenerationService(new ModelRouter(registries), scheduler, new ConcurrencyLimiter(generation.maxConcurrentRequests()),
                new GenerationMetrics(new SimpleMeterRegistry()), properties, grammars);
        this.runner = new OpenAiRunner(service, new TokenStreamer(service, executor, null), properties);
    }

    /** The pipeline over {@code store}, with these settings (names as after {@code folio.}, e.g. {@code generation.max-best-of}). */
    public static RequestPipeline over(TestStore store, Map<String, String> settings) throws IOException {
        Map<String, String> prefixed = new java.util.HashMap<>();
        settings.forEach((name, value) -> prefixed.put("folio." + name, value));
        FolioProperties properties = new Binder(new MapConfigurationPropertySource(prefixed)).bindOrCreate("folio", FolioProperties.class);
        return new RequestPipeline(properties, store);
    }

    public FolioProperties properties() {
        return properties;
    }

    public GenerationService service() {
        return service;
    }

    public OpenAiRunner runner() {
        return runner;
    }

    public ModelRegistries registries() {
        return registries;
    }

    @Override
    public void close() {
        executor.shutdownNow();
        grammars.close();
        scheduler.close();
        registries.close();
    }
}
