package dev.folio.api;

import dev.folio.store.TestModels;
import dev.folio.store.TestStore;
import org.springframework.test.context.DynamicPropertyRegistry;

/** A temporary model store with one small model, for API tests that must not depend on the bundled one. */
final class ApiTestSupport {

    private static TestStore store;

    private ApiTestSupport() {}

    static synchronized void useTestStore(DynamicPropertyRegistry registry) {
        if (store == null) {
            store = TestStore.withTinyModel("api-test", 17);
        }
        serve(registry, store);
    }

    /** Serves {@code store} to a test's server, with the tiny model as the default. */
    static void serve(DynamicPropertyRegistry registry, TestStore store) {
        registry.add("folio.store.path", () -> store.root().toString());
        registry.add("folio.store.model", () -> TestModels.NAME);
    }
}
