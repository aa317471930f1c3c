package dev.folio.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.github.dockerjava.api.command.InspectContainerResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Builds the image from docker/Dockerfile against a real Docker engine, runs it with a read-only root
 * filesystem, calls the API on loopback, then stops it with SIGTERM while a stream is in flight.
 * Skipped (with the reason) on a developer machine without Docker; with CI=true a missing engine fails.
 */
class ContainerImageIT {

    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final Duration GRACE = Duration.ofSeconds(30); // spring.lifecycle.timeout-per-shutdown-phase
    private static GenericContainer<?> container;

    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonMapper json = JsonMapper.builder().build();

    @BeforeAll
    static void startContainer() {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            String why = "no Docker engine answers (install docker.io and start dockerd, as .ci/run does)";
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true but " + why);
            }
            Assumptions.abort("container test skipped: " + why);
        }
        Path jar = ROOT.resolve("target/folio.jar");
        assertThat(jar).as("run `./mvnw verify` (or package) first: the image is built from the jar").exists();
        ImageFromDockerfile image = new ImageFromDockerfile("folio-it", false)
                .withFileFromPath("docker/Dockerfile", ROOT.resolve("docker/Dockerfile"))
                .withFileFromPath("target/folio.jar", jar)
                // the bundled model only: a user's own models in model-store/ are not the image's
                .withFileFromPath("model-store/shakespeare-char", ROOT.resolve("model-store/shakespeare-char"))
                .withDockerfilePath("docker/Dockerfile");
        container = new GenericContainer<>(image)
                .withExposedPorts(8080)
                .withTmpFs(Map.of("/tmp", "rw,size=256m"))
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withReadonlyRootfs(true))
                .waitingFor(Wait.forHttp("/actuator/health/readiness").forStatusCode(200).withStartupTimeout(Duration.ofMinutes(2)));
        container.start();
    }

    @AfterAll
    static void removeContainer() {
        if (container != null) {
            container.stop(); // removes it; Ryuk is disabled here, so the test cleans up itself
        }
    }

    private String url(String path) {
        return "http://" + container.getHost() + ":" + container.getMappedPort(8080) + path;
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url(path))).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url(path))).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesTheBundledModelAsNonRootOnAReadOnlyRootThenDrainsAStreamOnSigterm() throws Exception {
        // the API
        HttpResponse<String> generated = post("/generate", "{\"inputs\":\"ROMEO:\",\"parameters\":{\"max_new_tokens\":40,\"do_sample\":true,\"seed\":1}}");
        assertThat(generated.statusCode()).isEqualTo(200);
        assertThat(json.readTree(generated.body()).get("generated_text").asString()).hasSize(40);
        assertThat(json.readTree(post("/tokenize", "{\"inputs\":\"ROMEO\"}").body())).hasSize(5);
        assertThat(get("/health").statusCode()).isEqualTo(200);
        assertThat(json.readTree(get("/actuator/health/liveness").body()).get("status").asString()).isEqualTo("UP");
        assertThat(json.readTree(get("/actuator/health/readiness").body()).get("status").asString()).isEqualTo("UP");
        HttpResponse<Stream<String>> shortStream = http.send(streamRequest(5), HttpResponse.BodyHandlers.ofLines());
        assertThat(shortStream.body().filter(l -> l.startsWith("data:")).count()).isEqualTo(5);

        // a healthy start warns of nothing (JNA loads from the image, not the noexec /tmp, so libtorch's variables are set)
        assertThat(container.getLogs()).doesNotContain(" WARN ");

        // non-root, read-only root filesystem, writable /tmp only
        assertThat(container.execInContainer("id", "-u").getStdout().trim()).isEqualTo("10001");
        Container.ExecResult write = container.execInContainer("touch", "/opt/folio/probe");
        assertThat(write.getExitCode()).isNotZero();
        assertThat(write.getStderr()).contains("Read-only file system");
        assertThat(container.execInContainer("touch", "/tmp/probe").getExitCode()).isZero();

        // SIGTERM while a stream is in flight: the stream finishes cleanly, then the JVM exits 0
        CompletableFuture<HttpResponse<Stream<String>>> inFlight = http.sendAsync(streamRequest(1500), HttpResponse.BodyHandlers.ofLines());
        Iterator<String> events = inFlight.get().body().filter(l -> l.startsWith("data:")).iterator();
        List<String> received = new ArrayList<>();
        received.add(events.next());
        container.getDockerClient().killContainerCmd(container.getContainerId()).withSignal("SIGTERM").exec();
        events.forEachRemaining(received::add);
        assertThat(received).hasSize(1500);
        JsonNode last = json.readTree(received.get(received.size() - 1).substring(5).strip());
        assertThat(last.get("generated_text").isString()).as("the last event carries the full text").isTrue();

        InspectContainerResponse.ContainerState state = awaitExit(GRACE.plusSeconds(15));
        assertThat(state.getRunning()).isFalse();
        assertThat(state.getExitCodeLong()).isZero();
    }

    private HttpRequest streamRequest(int tokens) {
        return HttpRequest.newBuilder(URI.create(url("/generate_stream"))).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"inputs\":\"ROMEO:\",\"parameters\":{\"max_new_tokens\":" + tokens
                        + ",\"do_sample\":true,\"seed\":2}}"))
                .build();
    }

    /** Polls the engine until the container stops or the bound passes (a bound, not a speed assertion). */
    private static InspectContainerResponse.ContainerState awaitExit(Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        InspectContainerResponse.ContainerState state;
        do {
            state = container.getDockerClient().inspectContainerCmd(container.getContainerId()).exec().getState();
            if (!Boolean.TRUE.equals(state.getRunning())) {
                return state;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        return state;
    }
}
