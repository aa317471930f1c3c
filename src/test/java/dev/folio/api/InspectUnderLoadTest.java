package dev.folio.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Inspections run on their own threads with their own arrays: seeded generations beside them stay byte for byte the same. */
class InspectUnderLoadTest extends BundledModelServerTest {

    private static final int SEEDS = 3;

    @Test
    void seededGenerationsAreByteIdenticalWhileInspectionsRun() throws Exception {
        ApiClient client = new ApiClient(port);
        List<String> alone = new ArrayList<>();
        for (int seed = 0; seed < SEEDS; seed++) {
            alone.add(generate(client, seed));
        }
        String everything = """
                {"inputs": "%s", "hooks": ["*"], "encoding": "int8", "layout": "causal"}""".formatted("To be, or not to be: that is the question. ".repeat(5));
        String intervention = """
                {"inputs": "ROMEO:\\nBut soft", "interventions": [{"kind": "no_causal_mask"}, {"kind": "ablate_head", "layer": 1, "head": 2}],
                 "generate": {"max_new_tokens": 16}}""";
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger answered = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        ExecutorService inspectors = Executors.newFixedThreadPool(3);
        List<Future<?>> loops = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String body = i == 0 ? intervention : everything;
            String route = i == 0 ? "/inspect/intervene" : "/inspect";
            loops.add(inspectors.submit(() -> {
                while (running.get()) {
                    HttpResponse<String> response = client.post(route, body);
                    if (response.statusCode() == 200) {
                        answered.incrementAndGet();
                    } else {
                        assertThat(response.statusCode()).as(response.body()).isEqualTo(429); // the pool full: refused at once, never queued
                        refused.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        try {
            int rounds = 0;
            while (rounds < 2 || answered.get() < 3) { // until several inspections ran beside the generations
                assertThat(rounds).as("inspections answered while generating").isLessThan(50);
                ExecutorService generators = Executors.newFixedThreadPool(SEEDS);
                List<Future<String>> texts = new ArrayList<>();
                for (int seed = 0; seed < SEEDS; seed++) {
                    int s = seed;
                    texts.add(generators.submit(() -> generate(client, s)));
                }
                for (int seed = 0; seed < SEEDS; seed++) {
                    assertThat(texts.get(seed).get()).as("seed %d, round %d", seed, rounds).isEqualTo(alone.get(seed));
                }
                generators.shutdown();
                rounds++;
            }
        } finally {
            running.set(false);
            for (Future<?> loop : loops) {
                loop.get();
            }
            inspectors.shutdown();
        }
        assertThat(answered.get()).isGreaterThanOrEqualTo(3);
    }

    private static String generate(ApiClient client, int seed) throws Exception {
        HttpResponse<String> response = client.post("/generate", """
                {"inputs": "ROMEO:", "parameters": {"max_new_tokens": 48, "do_sample": true, "temperature": 0.9, "top_k": 40, "seed": %d}}"""
                .formatted(seed));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return client.json(response.body()).get("generated_text").asString();
    }
}
