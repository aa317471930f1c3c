package dev.folio.api;

import dev.folio.store.ModelRegistry;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/** Ready only once a model is loaded and warmed (the registry swaps a model in after its warm-up pass). */
@Component("model")
public class ModelHealthIndicator implements HealthIndicator {

    private final ModelRegistry registry;

    public ModelHealthIndicator(ModelRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Health health() {
        return registry.currentMetadata()
                .map(m -> Health.up().withDetail("model", m.modelName()).withDetail("version", m.version()).build())
                .orElseGet(() -> Health.outOfService().withDetail("reason", "no model loaded").build());
    }
}
