package dev.folio.api;

import dev.folio.store.ModelStore;
import dev.folio.store.TestModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.test.context.DynamicPropertyRegistry;

/** A temporary model store with one small model, for API tests that must not depend on the bundled one. */
final class ApiTestSupport {

    private static Path store;

    private ApiTestSupport() {}

    static synchronized void useTestStore(DynamicPropertyRegistry registry) {
        if (store == null) {
            try {
                store = Files.createTempDirectory("folio-api-test");
                TestModels.publish(new ModelStore(store), 17);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        registry.add("folio.store.path", store::toString);
        registry.add("folio.store.model", () -> TestModels.NAME);
    }
}
