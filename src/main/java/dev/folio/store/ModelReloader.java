package dev.folio.store;

import dev.folio.store.ModelRegistries;
import dev.folio.store.ModelRegistry;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** Watches each served model's {@code current} pointer and hot-reloads whatever version it names; takes in new models. */
@Component
public class ModelReloader {

    private static final Logger log = LoggerFactory.getLogger(ModelReloader.class);

    private final ModelRegistries registries;

    public ModelReloader(ModelRegistries registries) {
        this.registries = registries;
    }

    @Scheduled(fixedDelayString = "${folio.store.watch-interval:2s}", initialDelayString = "${folio.store.watch-interval:2s}")
    public void check() {
        try {
            registries.discover(); // serving the whole store: a model published under a new name joins
        } catch (IOException | RuntimeException e) {
            log.error("looking for new models in the store failed; serving the ones loaded", e);
        }
        for (ModelRegistry registry : registries.all()) { // each model on its own: one failing does not hold up the others
            try {
                registry.reloadIfChanged();
            } catch (IOException | RuntimeException e) {
                log.error("hot reload check of {} failed; still serving its current version", registry.modelName(), e);
            }
        }
    }
}
