package dev.folio;

import dev.folio.store.ModelRegistry;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** Watches the store's {@code current} pointer and hot-reloads whatever version it names. */
@Component
public class ModelReloader {

    private static final Logger log = LoggerFactory.getLogger(ModelReloader.class);

    private final ModelRegistry registry;

    public ModelReloader(ModelRegistry registry) {
        this.registry = registry;
    }

    @Scheduled(fixedDelayString = "${folio.store.watch-interval:2s}", initialDelayString = "${folio.store.watch-interval:2s}")
    public void check() {
        try {
            registry.reloadIfChanged();
        } catch (IOException | RuntimeException e) {
            log.error("hot reload check failed; still serving the current version", e);
        }
    }
}
