package dev.folio.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.folio.store.ModelMetadata;
import dev.folio.training.TrainingRunTest;
import dev.folio.store.TestStore;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The scheduled job under a short cron: it fine-tunes the served (untrained) model, the gate passes,
 * the new version is published, and the running server serves it without a restart. Its context is closed after it, so
 * its schedule does not train on while other tests run.
 */
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "folio.admin.key=adm1n", "folio.store.watch-interval=200ms", "folio.training.schedule=*/2 * * * * *",
        "folio.training.max-steps=60", "folio.training.batch-size=8", "folio.training.eval-batches=5",
        "folio.training.learning-rate=1e-2", "folio.training.checkpoint-interval=20", "folio.training.improvement-margin=0.01"})
class TrainingJobApiTest {

    private static ModelMetadata initial;

    @DynamicPropertySource
    static void store(DynamicPropertyRegistry registry) throws Exception {
        TestStore test = TestStore.create("training-job-test");
        initial = test.publish(61);
        Path corpus = test.dir().resolve("corpus.txt");
        Files.writeString(corpus, TrainingRunTest.grammarCorpus(1500, 8));
        ApiTestSupport.serve(registry, test);
        registry.add("folio.training.corpus", corpus::toString);
    }

    @LocalServerPort
    int port;

    private ApiClient admin() {
        return new ApiClient(port, Map.of("Authorization", "Bearer adm1n"));
    }

    @Test
    void aScheduledRunPublishesAVersionTheServerThenServesWithoutRestart() throws Exception {
        ApiClient api = new ApiClient(port);
        String served = initial.version();
        for (int i = 0; i < 600 && served.equals(initial.version()); i++) {
            Thread.sleep(100);
            served = api.json(api.get("/info").body()).get("model_version").asString();
        }
        assertThat(served).as("a new version served within the bound").isNotEqualTo(initial.version());
        HttpResponse<String> generated = api.post("/generate", "{\"inputs\":\"the cat \",\"parameters\":{\"max_new_tokens\":5}}");
        assertThat(generated.statusCode()).isEqualTo(200);
        assertThat(generated.headers().firstValue("X-Folio-Model-Version")).contains(served);

        JsonNode runs = admin().json(admin().get("/admin/training/runs").body()).get("runs");
        JsonNode published = null;
        for (JsonNode run : runs) {
            if (served.equals(run.path("publishedVersion").asString(null))) {
                published = run;
            }
        }
        assertThat(published).as("the run that published it is listed").isNotNull();
        assertThat(published.get("status").asString()).isEqualTo("published");
        assertThat(published.get("valLoss").asDouble()).isLessThan(published.get("baselineValLoss").asDouble());
        JsonNode detail = admin().json(admin().get("/admin/training/runs/" + published.get("id").asString()).body());
        assertThat(detail.get("curve").size()).isPositive();
        assertThat(detail.get("run").get("baseVersion").asString()).isEqualTo(initial.version());
        assertThat(api.get("/actuator/prometheus").body()).contains("folio_training_runs_total{outcome=\"published\"}");
    }

    @Test
    void theTrainingThreadEndsWithItsRun() {
        // once a run has started, its thread must not live on between runs (it would keep its OpenMP workers)
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5)).until(() -> trainingThreads() > 0);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5)).until(() -> trainingThreads() == 0);
    }

    private static long trainingThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(thread -> thread.getName().equals("training")).count();
    }

    @Test
    void startingARunWhileOneIsGoingIsA409() throws Exception {
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            statuses.add(admin().post("/admin/training/runs", "").statusCode());
        }
        assertThat(statuses).contains(409).allMatch(s -> s == 202 || s == 409);
        assertThat(new ApiClient(port).post("/admin/training/runs", "").statusCode()).as("without the key").isEqualTo(401);
        assertThat(admin().get("/admin/training/runs/r20990101-000000-abcd").statusCode()).isEqualTo(404);
        assertThat(admin().get("/admin/training/runs/..%2F..").statusCode()).isIn(400, 404, 422);
    }
}
