package dev.folio;

import dev.folio.engine.NativeHeap;
import dev.folio.inference.DecodeScheduler;
import dev.folio.inference.Generation;
import dev.folio.inference.GenerationListener;
import dev.folio.inference.GenerationRequest;
import dev.folio.inference.KvBudget;
import dev.folio.inference.SamplingParameters;
import dev.folio.store.ModelRegistries;
import dev.folio.store.ModelRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Runs a few generations through the scheduler before the service reports ready (runners finish before the
 * readiness state turns to accepting traffic), so the first users do not pay for libtorch's first calls and
 * the JIT: a lone prefill, a batched prefill, a chunked long prompt and some batched decoding steps.
 */
@Component
class ServingWarmUp implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(ServingWarmUp.class);

    private final ModelRegistries registries;
    private final DecodeScheduler scheduler;

    ServingWarmUp(ModelRegistries registries, DecodeScheduler scheduler) {
        this.registries = registries;
        this.scheduler = scheduler;
    }

    @Override
    public void run(ApplicationArguments args) {
        for (ModelRegistry registry : registries.all()) {
            warm(registry);
        }
        NativeHeap.trim(); // the load-time checks' float64 copies and the warm-up's cache, freed but still resident
    }

    private void warm(ModelRegistry registry) {
        if (registry.currentMetadata().isEmpty()) {
            return; // nothing to serve yet; readiness says so
        }
        long start = System.nanoTime();
        try (ModelRegistry.Lease lease = registry.acquire()) {
            int window = lease.model().gpt().config().blockSize();

            List<CompletableFuture<Generation>> runs = new ArrayList<>();
            for (int size : new int[] {4, 8, 32}) { // small batches run on one libtorch thread, large ones on more
                for (int i = 0; i < size; i++) {
                    int[] prompt = new int[i == 0 ? window : 1 + i % 8]; // token 0 is a vocabulary entry in every model
                    if (!scheduler.kvBudget().fitsAlone(lease.model().gpt().config(),
                            KvBudget.positionsNeeded(lease.model().gpt().config(), prompt.length, 24))) {
                        continue; // a KV budget this small refuses it; warm what fits
                    }
                    runs.add(scheduler.submit(lease.model(), GenerationRequest.of(prompt, SamplingParameters.greedy(24)), GenerationListener.NONE));
                }
                runs.forEach(CompletableFuture::join);
            }
        } catch (RuntimeException e) {
            log.warn("warm-up failed; serving anyway", e);
            return;
        }
        log.info("warm-up of {}: {} ms", registry.modelName(), (System.nanoTime() - start) / 1_000_000);
    }
}
