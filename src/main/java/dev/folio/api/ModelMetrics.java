package dev.folio.api;

import dev.folio.model.ServingPath;
import dev.folio.store.ModelRegistries;
import dev.folio.store.ModelRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * The served model in metrics: {@code folio_model_info{model,version,serving_path} 1} for the version serving now (and
 * the weight products its passes run, as the load-time check chose them), and
 * {@code folio_model_reloads_total{outcome=loaded|refused}} for hot reloads.
 */
@Component
public class ModelMetrics {

    public ModelMetrics(ModelRegistries registries, MeterRegistry meters) {
        MultiGauge info = MultiGauge.builder("folio.model.info").description("the model versions being served (value 1)").register(meters);
        Runnable publish = () -> info.register(registries.all().stream()
                .flatMap(r -> r.currentMetadata().stream().map(m -> MultiGauge.Row.of(Tags.of("model", m.modelName(), "version", m.version(),
                        "serving_path", r.currentServingPath().map(ServingPath::name).orElse("none")), 1)))
                .toList(), true);
        publish.run();
        registries.all().forEach(registry -> countReloads(registry, meters, publish));
        registries.onJoin(registry -> {
            countReloads(registry, meters, publish);
            publish.run();
        });
    }

    private static void countReloads(ModelRegistry registry, MeterRegistry meters, Runnable publish) {
        Counter loaded = Counter.builder("folio.model.reloads").tag("model", registry.modelName()).tag("outcome", "loaded").register(meters);
        Counter refused = Counter.builder("folio.model.reloads").tag("model", registry.modelName()).tag("outcome", "refused").register(meters);
        registry.onReload(outcome -> {
            (outcome.loaded() ? loaded : refused).increment();
            publish.run();
        });
    }
}
