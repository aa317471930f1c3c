package dev.folio.api;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A real server on a random port serving a small model from a temporary store. Subclasses share one
 * application context (same configuration), so the server starts once for all of them.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
abstract class TinyModelServerTest {

    @DynamicPropertySource
    static void store(DynamicPropertyRegistry registry) {
        ApiTestSupport.useTestStore(registry);
    }

    @LocalServerPort
    int port;

    ApiClient api() {
        return new ApiClient(port);
    }
}
