package dev.folio.api;

import dev.folio.store.ModelMetadata;
import dev.folio.store.ModelRegistries;
import dev.folio.store.ModelRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/** Ready only once a model is loaded and warmed (the registry swaps a model in after its warm-up pass). */
@Component("model")
public class ModelHealthIndicator implements HealthIndicator {

    private final ModelRegistries registries;

    public ModelHealthIndicator(ModelRegistries registries) {
        this.registries = registries;
    }

    @Override
    public Health health() {
        Map<String, String> versions = new LinkedHashMap<>();
        for (ModelRegistry registry : registries.all()) {
            Optional<ModelMetadata> served = registry.currentMetadata();
            if (served.isEmpty()) {
                return Health.outOfService().withDetail("reason", "no version of " + registry.modelName() + " loaded").build();
            }
            versions.put(registry.modelName(), served.get().version());
        }
        ModelMetadata fallback = registries.defaultRegistry().currentMetadata().orElseThrow();
        return Health.up().withDetail("model", fallback.modelName()).withDetail("version", fallback.version()).withDetail("models", versions).build();
    }
}
