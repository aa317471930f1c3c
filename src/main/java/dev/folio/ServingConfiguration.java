package dev.folio;

import dev.folio.inference.ConcurrencyLimiter;
import dev.folio.inference.DecodeScheduler;
import dev.folio.inference.ScoringPool;
import dev.folio.store.ModelRegistries;
import dev.folio.store.ModelRegistry;
import dev.folio.store.ModelStore;
import java.io.IOException;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the store, the live model and the generator; the model is loaded and warmed before the server takes traffic. */
@Configuration(proxyBeanMethods = false)
public class ServingConfiguration {

    /** What dates versions and training runs: the system's clock in UTC (version ids are UTC timestamps). */
    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    ModelStore modelStore(FolioProperties properties, Clock clock) {
        return new ModelStore(properties.store().path(), clock);
    }

    /** Every served model, loaded and warmed before the server takes traffic. */
    @Bean(destroyMethod = "close")
    ModelRegistries modelRegistries(ModelStore store, FolioProperties properties) throws IOException {
        return ModelRegistries.load(store, properties.store().model(), properties.store().models());
    }

    /** The default model's registry, for what concerns one model (closed with the others). */
    @Bean(destroyMethod = "")
    ModelRegistry modelRegistry(ModelRegistries registries) {
        return registries.defaultRegistry();
    }

    @Bean(destroyMethod = "close")
    DecodeScheduler decodeScheduler(FolioProperties properties) {
        FolioProperties.Generation generation = properties.generation();
        return new DecodeScheduler(generation.maxBatchSize(), generation.prefillChunk(), generation.intraOpThreads(), generation.singleThreadBelowRows(),
                generation.kvBudget());
    }

    @Bean(destroyMethod = "close")
    ScoringPool scoringPool(FolioProperties properties) {
        return new ScoringPool(properties.generation().scoringThreads(), properties.generation().maxConcurrentScoring());
    }

    @Bean
    ConcurrencyLimiter concurrencyLimiter(FolioProperties properties) {
        return new ConcurrencyLimiter(properties.generation().maxConcurrentRequests());
    }

    @Bean
    GenerationThreads generationThreads() {
        return new GenerationThreads();
    }

    /** Threads that relay streamed generations to their clients; the limiter bounds how many, so the pool never queues. */
    @Bean(destroyMethod = "shutdown")
    ExecutorService generationExecutor(FolioProperties properties, GenerationThreads threads) {
        return Executors.newFixedThreadPool(properties.generation().maxConcurrentRequests(), threads);
    }
}
