package dev.folio.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.folio.model.GptConfig;
import dev.folio.store.Checksums;
import dev.folio.store.ModelMetadata;
import dev.folio.store.ModelStore;
import dev.folio.store.RunRecord;
import dev.folio.store.TestModels;
import dev.folio.tokenizer.CharTokenizer;
import dev.folio.training.ManagedTraining;
import dev.folio.training.StopAfter;
import dev.folio.training.TrainingRun;
import dev.folio.training.TrainingRunTest;
import dev.folio.training.config.TrainingConfig;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /admin/training/runs} with settings in its body, the corpora it names ({@code PUT/GET /admin/corpora}),
 * one run at a time per model, and interrupted runs: listed as such, then resumed by the next run of their model.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "folio.admin.key=adm1n", "folio.store.watch-interval=200ms", "folio.training.max-steps=5", "folio.training.batch-size=4",
        "folio.training.eval-batches=2", "folio.training.learning-rate=1e-2", "folio.training.max-corpus-bytes=65536",
        "folio.generation.max-request-bytes=32768"})
class TrainingSettingsApiTest {

    private static final String TEMPLATE = "{% for m in messages %}{{ m.content }}\n\n{% endfor %}";
    private static final String TINY_SHAPE = "{\"n_layer\":1,\"n_head\":2,\"n_embd\":16,\"block_size\":16,\"dropout\":0.0,\"bias\":true}";
    private static Path root;
    private static Path configuredCorpus;

    @DynamicPropertySource
    static void store(DynamicPropertyRegistry registry) throws Exception {
        root = Files.createDirectories(Files.createTempDirectory("folio-training-settings-test").resolve("store")); // a parent of its own: an escape to ../x would show there
        TestModels.publish(new ModelStore(root.resolve("store")), 71);
        configuredCorpus = root.resolve("configured.txt");
        Files.writeString(configuredCorpus, TrainingRunTest.grammarCorpus(300, 4));
        registry.add("folio.store.path", () -> root.resolve("store").toString());
        registry.add("folio.store.model", () -> TestModels.NAME);
        registry.add("folio.training.corpus", configuredCorpus::toString);
    }

    @LocalServerPort
    int port;

    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonMapper json = JsonMapper.builder().build();

    private ApiClient admin() {
        return new ApiClient(port, Map.of("Authorization", "Bearer adm1n"));
    }

    private Path store() {
        return root.resolve("store");
    }

    private HttpResponse<String> putCorpus(String name, byte[] body, String contentType) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/admin/corpora/" + name))
                .header("Authorization", "Bearer adm1n").header("Content-Type", contentType)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> putCorpusChunked(String name, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/admin/corpora/" + name))
                .header("Authorization", "Bearer adm1n").header("Content-Type", "text/plain")
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode uploaded(String name, String text) throws Exception {
        HttpResponse<String> put = putCorpus(name, text.getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8");
        assertThat(put.statusCode()).as(put.body()).isIn(200, 201);
        return json.readTree(put.body());
    }

    /** Waits for a run to end (any outcome) and returns its record as the admin API shows it. */
    private JsonNode ended(String model, String runId) {
        JsonNode[] run = new JsonNode[1];
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> {
            HttpResponse<String> r = admin().get("/admin/training/runs/" + runId + "?model=" + model);
            if (r.statusCode() != 200) {
                return false;
            }
            run[0] = json.readTree(r.body()).path("run");
            String status = run[0].path("status").asString("");
            return !status.isEmpty() && !status.equals("running") && !status.equals("interrupted");
        });
        return run[0];
    }

    private void awaitIdle() {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> {
            JsonNode list = json.readTree(admin().get("/admin/training/runs").body());
            return list.get("active").isEmpty() && list.get("queued").isEmpty();
        });
    }

    @Test
    void anAdminRunTrainsExactlyTheSettingsInItsBody() throws Exception {
        String text = TrainingRunTest.grammarCorpus(400, 11);
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        JsonNode upload = uploaded("grammar.txt", text);
        assertThat(upload.get("name").asString()).isEqualTo("grammar.txt");
        assertThat(upload.get("sha256").asString()).isEqualTo(Checksums.sha256(bytes));
        assertThat(upload.get("characters").asLong()).isEqualTo(text.length());
        assertThat(upload.get("size_bytes").asLong()).isEqualTo(bytes.length);
        assertThat(putCorpus("grammar.txt", bytes, "text/plain").statusCode()).as("replacing it").isEqualTo(200);
        JsonNode listed = json.readTree(admin().get("/admin/corpora").body());
        assertThat(listed.get("max_bytes").asLong()).isEqualTo(65536);
        assertThat(listed.get("corpora").valueStream().filter(c -> c.get("name").asString().equals("grammar.txt")).findFirst().orElseThrow()
                .get("sha256").asString()).isEqualTo(Checksums.sha256(bytes));
        assertThat(store().resolve("corpora").resolve("grammar.txt")).hasContent(text);

        String body = "{\"model\":\"fresh-char\",\"mode\":\"from_scratch\",\"corpus\":\"grammar.txt\",\"architecture\":" + TINY_SHAPE
                + ",\"max_steps\":5,\"max_duration\":\"10m\",\"learning_rate\":0.01,\"batch_size\":4,\"eval_batches\":2,"
                + "\"improvement_margin\":0.0,\"seed\":7,\"chat_template\":" + json.writeValueAsString(TEMPLATE) + "}";
        HttpResponse<String> started = admin().post("/admin/training/runs", body);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        JsonNode accepted = json.readTree(started.body());
        String runId = accepted.get("run_id").asString();
        assertThat(started.headers().firstValue("Location")).contains("/admin/training/runs/" + runId + "?model=fresh-char");
        assertThat(accepted.get("model").asString()).isEqualTo("fresh-char");
        JsonNode settings = accepted.get("settings");
        assertThat(settings.get("mode").asString()).isEqualTo("from_scratch");
        assertThat(settings.get("corpus").asString()).isEqualTo("grammar.txt");
        assertThat(settings.get("corpus_sha256").asString()).isEqualTo(Checksums.sha256(bytes));
        assertThat(settings.get("max_steps").asInt()).isEqualTo(5);
        assertThat(settings.get("max_duration").asString()).isEqualTo("PT10M");
        assertThat(settings.get("seed").asLong()).isEqualTo(7);
        assertThat(settings.get("architecture")).isEqualTo(json.readTree(TINY_SHAPE));
        assertThat(settings.get("chat_template").asString()).isEqualTo(TEMPLATE);
        assertThat(settings.get("chat_stop").get(0).asString()).isEqualTo("\n\n");

        JsonNode run = ended("fresh-char", runId);
        assertThat(run.get("status").asString()).as(run.toString()).isEqualTo("published");
        ModelStore store = new ModelStore(store());
        String version = store.currentVersion("fresh-char").orElseThrow();
        assertThat(run.get("publishedVersion").asString()).isEqualTo(version);
        ModelMetadata published = store.metadata("fresh-char", version);
        assertThat(published.modelName()).isEqualTo("fresh-char");
        assertThat(published.architecture()).isEqualTo(new GptConfig(CharTokenizer.fromCorpus(text).vocabSize(), 16, 1, 2, 16, 0f, true));
        TrainingConfig config = published.training().config();
        assertThat(config.maxSteps()).isEqualTo(5);
        assertThat(config.batchSize()).isEqualTo(4);
        assertThat(config.learningRate()).isEqualTo(0.01f);
        assertThat(config.evalBatches()).isEqualTo(2);
        assertThat(config.seed()).isEqualTo(7);
        assertThat(config.maxWallTime()).isEqualTo(Duration.ofMinutes(10));
        assertThat(published.training().steps()).isEqualTo(5);
        assertThat(published.corpus().sha256()).isEqualTo(Checksums.sha256(bytes));
        assertThat(published.chat()).isEqualTo(new ModelMetadata.Chat(TEMPLATE, List.of("\n\n")));
        // the model.json on disk says the same
        JsonNode modelJson = json.readTree(Files.readString(store().resolve("fresh-char").resolve(version).resolve("model.json")));
        assertThat(modelJson.get("architecture").get("nLayer").asInt()).isEqualTo(1);
        assertThat(modelJson.get("chat").get("template").asString()).isEqualTo(TEMPLATE);
    }

    @Test
    void aRunWithNoBodyTrainsTheConfiguredModelWithTheConfiguredSettings() throws Exception {
        awaitIdle();
        String current = new ModelStore(store()).currentVersion(TestModels.NAME).orElseThrow();
        // as curl -X POST sends it: no body, no Content-Type
        HttpResponse<String> started = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/admin/training/runs"))
                .header("Authorization", "Bearer adm1n").POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        JsonNode settings = json.readTree(started.body()).get("settings");
        assertThat(settings.get("model").asString()).isEqualTo(TestModels.NAME);
        assertThat(settings.get("mode").asString()).isEqualTo("fine_tune");
        assertThat(settings.get("base_version").asString()).isEqualTo(current);
        assertThat(settings.get("corpus").asString()).as("by file name, never the absolute path").isEqualTo("configured.txt");
        assertThat(settings.get("max_steps").asInt()).isEqualTo(5);
        assertThat(settings.get("batch_size").asInt()).isEqualTo(4);
        assertThat(settings.get("seed").asLong()).isEqualTo(1337);
        assertThat(settings.get("architecture").get("n_embd").asInt()).isEqualTo(TestModels.config().nEmbd());
        assertThat(settings.has("chat_template")).as("a fine-tune keeps its base's").isFalse();
        String runId = json.readTree(started.body()).get("run_id").asString();
        JsonNode run = ended(TestModels.NAME, runId);
        assertThat(run.get("corpus").asString()).as("a run's record keeps the path; the API shows the name").isEqualTo("configured.txt");
        // no admin response tells where the service's files live
        String parent = root.getParent().toString();
        assertThat(admin().get("/admin/training/runs").body()).doesNotContain(parent);
        assertThat(admin().get("/admin/training/runs/" + runId).body()).doesNotContain(parent);
        HttpResponse<String> corpora = admin().get("/admin/corpora");
        assertThat(json.readTree(corpora.body()).get("default").asString()).isEqualTo("configured.txt");
        assertThat(corpora.body()).doesNotContain(parent);
        HttpResponse<String> missing = admin().post("/admin/models/v20991231-235959/promote", "");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).doesNotContain(parent);
    }

    @Test
    void badSettingsAreRefusedFieldByField() throws Exception {
        uploaded("short.txt", "the cat sees the moon.\n".repeat(3));
        uploaded("capitals.txt", TrainingRunTest.grammarCorpus(200, 5).toUpperCase());
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("{\"max_steps\":0}", "max_steps");
        cases.put("{\"max_steps\":2000000}", "max_steps");
        cases.put("{\"learning_rate\":0}", "learning_rate");
        cases.put("{\"learning_rate\":5}", "learning_rate");
        cases.put("{\"batch_size\":0}", "batch_size");
        cases.put("{\"eval_batches\":0}", "eval_batches");
        cases.put("{\"improvement_margin\":1e9}", "improvement_margin");
        cases.put("{\"seed\":-1}", "seed");
        cases.put("{\"max_duration\":\"soon\"}", "max_duration");
        cases.put("{\"max_duration\":\"-5m\"}", "max_duration");
        cases.put("{\"max_duration\":\"600\"}", "max_duration");
        cases.put("{\"max_duration\":\"P30D\"}", "max_duration");
        cases.put("{\"mode\":\"sideways\"}", "mode");
        cases.put("{\"mode\":\"from_scratch\",\"architecture\":{\"n_head\":3,\"n_embd\":16}}", "architecture.n_embd");
        cases.put("{\"mode\":\"from_scratch\",\"architecture\":{\"n_layer\":0}}", "architecture.n_layer");
        cases.put("{\"mode\":\"from_scratch\",\"architecture\":{\"dropout\":1.0}}", "architecture.dropout");
        cases.put("{\"mode\":\"from_scratch\",\"architecture\":{\"block_size\":100000}}", "architecture.block_size");
        cases.put("{\"mode\":\"from_scratch\",\"architecture\":{\"n_heads\":2}}", "architecture.unknown_fields");
        cases.put("{\"chat_template\":\"{{ messages | no_such_filter }}\"}", "chat_template");
        cases.put("{\"chat_template\":\"\"}", "chat_template");
        cases.put("{\"max_step\":5}", "unknown_fields");
        // what the store decides
        cases.put("{\"mode\":\"fine_tune\",\"architecture\":{\"n_layer\":2}}", "architecture.n_layer");
        cases.put("{\"model\":\"no-such-model\",\"mode\":\"fine_tune\"}", "mode");
        cases.put("{\"corpus\":\"missing.txt\"}", "corpus");
        cases.put("{\"model\":\"short-char\",\"mode\":\"from_scratch\",\"corpus\":\"short.txt\",\"architecture\":{\"block_size\":64}}", "corpus");
        cases.put("{\"mode\":\"fine_tune\",\"corpus\":\"capitals.txt\"}", "corpus");
        cases.put("{\"model\":\"corpora\",\"mode\":\"from_scratch\"}", "model");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            HttpResponse<String> r = admin().post("/admin/training/runs", c.getKey());
            assertThat(r.statusCode()).as(c.getKey() + " → " + r.body()).isEqualTo(422);
            assertThat(r.headers().firstValue("Content-Type")).as(c.getKey()).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
            JsonNode problem = json.readTree(r.body());
            assertThat(problem.get("detail").asString()).as(c.getKey()).startsWith(c.getValue() + ": ");
            assertThat(problem.get("error_type").asString()).isEqualTo("validation");
        }
        HttpResponse<String> both = admin().post("/admin/training/runs", "{\"max_steps\":0,\"batch_size\":0}");
        assertThat(json.readTree(both.body()).get("detail").asString()).contains("max_steps: ").contains("batch_size: ");
        assertThat(admin().post("/admin/training/runs", "{\"max_steps\":\"many\"}").statusCode()).as("not a number").isEqualTo(400);
        assertThat(store().resolve("no-such-model")).doesNotExist();
        assertThat(store().resolve("short-char")).doesNotExist();
    }

    @Test
    void hostileModelAndCorpusNamesAreRefusedBeforeTheFileSystem() throws Exception {
        awaitIdle();
        Set<Path> before = tree();
        String escape = root.getFileName() + "-escape"; // a name beside the test's directory that nothing else uses
        List<String> hostile = List.of("../x", "/etc/passwd", "a/b", "\\u0000", "", "..", ".", "x\\u0000y", "..\\\\x", "Upper", "-x",
                "a".repeat(65), "store/../../x", "../../" + escape, "../../../" + escape);
        for (String name : hostile) {
            HttpResponse<String> model = admin().post("/admin/training/runs", "{\"model\":\"" + name + "\",\"mode\":\"from_scratch\"}");
            assertThat(model.statusCode()).as("model " + name + " → " + model.body()).isEqualTo(422);
            assertThat(json.readTree(model.body()).get("detail").asString()).startsWith("model: ");
        }
        for (String name : List.of("../x", "/etc/passwd", "a/b", "\\u0000", "", "..", ".hidden", "x\\u0000y", "..\\\\x", "a".repeat(65),
                "../../configured.txt", root.resolve("configured.txt").toString(), "../../../" + escape)) {
            HttpResponse<String> corpus = admin().post("/admin/training/runs", "{\"corpus\":\"" + name + "\"}");
            assertThat(corpus.statusCode()).as("corpus " + name + " → " + corpus.body()).isEqualTo(422);
            assertThat(json.readTree(corpus.body()).get("detail").asString()).startsWith("corpus: ");
        }
        for (String query : List.of("..%2Fx", "%2Fetc%2Fpasswd", "a%2Fb", "%00", "", "Upper")) {
            assertThat(admin().get("/admin/training/runs?model=" + query).statusCode()).as(query).isIn(400, 422);
            assertThat(new ApiClient(port).get("/training/runs?model=" + query).statusCode()).as(query).isIn(400, 422);
        }
        for (String path : List.of("..%2Fx", "%2Fetc%2Fpasswd", "a%2Fb", "%00", ".hidden", "a%20b", "%2E%2E", "x%00y", "..", "a".repeat(65),
                "..%2F..%2F..%2F" + escape)) {
            HttpResponse<String> put = putCorpus(path, "the cat sees the moon.\n".getBytes(StandardCharsets.UTF_8), "text/plain");
            assertThat(put.statusCode()).as("PUT /admin/corpora/" + path + " → " + put.body()).isIn(400, 404, 405, 422);
        }
        assertThat(tree()).as("nothing written anywhere").isEqualTo(before);
        assertThat(root.resolve("x")).doesNotExist();
        assertThat(root.getParent().resolve(escape)).as("nothing written beside the test's directory").doesNotExist();
    }

    private static Set<Path> tree() throws Exception {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> !p.toString().contains("/runs/")).collect(Collectors.toSet());
        }
    }

    @Test
    void corpusUploadsAreBoundedStrictUtf8AndAdminOnly() throws Exception {
        byte[] tooBig = "a".repeat(70_000).getBytes(StandardCharsets.UTF_8);
        for (HttpResponse<String> r : List.of(putCorpus("big.txt", tooBig, "text/plain"), putCorpusChunked("big.txt", tooBig))) {
            assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
            assertThat(json.readTree(r.body()).get("detail").asString()).startsWith("the corpus (").contains("folio.training.max-corpus-bytes");
            assertThat(json.readTree(r.body()).get("title").asString()).isEqualTo("Payload too large");
        }
        assertThat(store().resolve("corpora").resolve("big.txt")).doesNotExist();
        assertThat(putCorpusChunked("chunked.txt", "the cat sees the moon.\n".getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(201);
        // above the API's request limit (32 KiB here), within the corpus limit (64 KiB): the corpus route's own limit applies
        byte[] large = "the cat sees the moon.\n".repeat(2_200).getBytes(StandardCharsets.UTF_8);
        for (HttpResponse<String> r : List.of(putCorpus("large.txt", large, "text/plain"), putCorpusChunked("large-chunked.txt", large))) {
            assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
            assertThat(json.readTree(r.body()).get("size_bytes").asLong()).isEqualTo(large.length);
        }
        assertThat(Files.size(store().resolve("corpora").resolve("large-chunked.txt"))).isEqualTo(large.length);
        HttpResponse<String> largeGenerate = new ApiClient(port).post("/generate", "{\"inputs\":\"" + "a".repeat(large.length) + "\"}");
        assertThat(largeGenerate.statusCode()).as("every other route keeps the request limit").isEqualTo(413);
        HttpResponse<String> anonymousLarge = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/admin/corpora/anon.txt"))
                .header("Content-Type", "text/plain").PUT(HttpRequest.BodyPublishers.ofByteArray(large)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(anonymousLarge.statusCode()).as("no admin key, no upload, however large").isEqualTo(401);
        assertThat(store().resolve("corpora").resolve("anon.txt")).doesNotExist();

        HttpResponse<String> malformed = putCorpus("bad.txt", new byte[] {'a', (byte) 0xC3, '(', 'b'}, "text/plain");
        assertThat(malformed.statusCode()).isEqualTo(422);
        assertThat(json.readTree(malformed.body()).get("detail").asString()).contains("UTF-8").contains("offset 1");
        assertThat(putCorpus("bad.txt", new byte[] {'a', (byte) 0xE2, (byte) 0x82}, "text/plain").statusCode()).as("truncated").isEqualTo(422);
        assertThat(putCorpus("bad.txt", new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, "text/plain").statusCode()).as("a surrogate")
                .isEqualTo(422);
        assertThat(putCorpus("bad.txt", new byte[0], "text/plain").statusCode()).as("empty").isEqualTo(422);
        assertThat(store().resolve("corpora").resolve("bad.txt")).doesNotExist();
        HttpResponse<String> json415 = putCorpus("json.txt", "{}".getBytes(StandardCharsets.UTF_8), "application/json");
        assertThat(json415.statusCode()).isEqualTo(415);
        assertThat(json.readTree(json415.body()).get("detail").asString()).startsWith("send the corpus as Content-Type: text/plain");
        assertThat(putCorpus("latin.txt", "caf\u00e9".getBytes(StandardCharsets.ISO_8859_1), "text/plain; charset=ISO-8859-1").statusCode())
                .isEqualTo(415);
        JsonNode accents = uploaded("accents.txt", "caf\u00e9 \u2014 na\u00efve \uD83C\uDFAD\n");
        assertThat(accents.get("characters").asLong()).isEqualTo("caf\u00e9 \u2014 na\u00efve \uD83C\uDFAD\n".length());

        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/admin/corpora/x.txt"))
                .header("Content-Type", "text/plain").PUT(HttpRequest.BodyPublishers.ofString("the cat")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(new ApiClient(port).get("/admin/corpora").statusCode()).isEqualTo(401);
        assertThat(new ApiClient(port, Map.of("Authorization", "Bearer wrong")).get("/admin/corpora").statusCode()).isEqualTo(401);
        assertThat(store().resolve("corpora").resolve("x.txt")).doesNotExist();
    }

    @Test
    void anInterruptedRunIsListedAsInterruptedAndTheNextRunResumesIt() throws Exception {
        awaitIdle();
        String text = TrainingRunTest.grammarCorpus(300, 12);
        uploaded("resume.txt", text);
        Path corpus = store().resolve("corpora").resolve("resume.txt");
        ManagedTraining training = new ManagedTraining(new ModelStore(store()), "resume-char");
        ManagedTraining.Request request = ManagedTraining.Request.builder().corpus(corpus).fromScratch(true)
                .architecture(new GptConfig(65, 16, 1, 2, 16, 0f, true))
                .training(TrainingConfig.builder().batchSize(4).maxSteps(30).learningRate(1e-2f).minLearningRate(1e-3f).warmupSteps(2)
                        .evalInterval(30).evalBatches(2).seed(7).build())
                .checkpointInterval(5).chat(new ModelMetadata.Chat(TEMPLATE, List.of("\n\n"))).build();
        String id = training.nextRunId();
        try {
            training.run(request, id, StopAfter.steps(12));
        } catch (TrainingRun.RunStoppedException expected) {
            // as a process killed after its checkpoint at step 10 leaves it
        }
        Path lock = store().resolve("resume-char").resolve("training.lock");
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        String host = InetAddress.getLocalHost().getHostName();
        Files.writeString(lock, gone.pid() + "@" + host + " " + id + " " + Instant.now() + " 120\n");

        JsonNode shown = json.readTree(new ApiClient(port).get("/training/runs?model=resume-char").body()).get(0);
        assertThat(shown.get("id").asString()).isEqualTo(id);
        assertThat(shown.get("status").asString()).isEqualTo(RunRecord.INTERRUPTED);
        assertThat(shown.get("resume_from_step").asInt()).isEqualTo(10);
        JsonNode listed = json.readTree(admin().get("/admin/training/runs?model=resume-char").body()).get("runs").get(0);
        assertThat(listed.get("status").asString()).isEqualTo(RunRecord.INTERRUPTED);
        assertThat(listed.get("resume_from_step").asInt()).isEqualTo(10);
        assertThat(listed.get("reason").asString()).contains("resumes it from its checkpoint at step 10");
        JsonNode detail = json.readTree(admin().get("/admin/training/runs/" + id).body());
        assertThat(detail.get("model").asString()).as("found without being told its model").isEqualTo("resume-char");
        assertThat(detail.get("run").get("status").asString()).isEqualTo(RunRecord.INTERRUPTED);
        assertThat(Files.readString(store().resolve("resume-char").resolve("runs").resolve(id).resolve("run.json")))
                .as("the record itself stays running").contains("\"status\":\"running\"");

        // a live holder (this process, heartbeat fresh): running; the same lock with its heartbeat stopped: interrupted
        Files.writeString(lock, ProcessHandle.current().pid() + "@" + host + " " + id + " " + Instant.now() + " 120\n");
        assertThat(json.readTree(new ApiClient(port).get("/training/runs?model=resume-char").body()).get(0).get("status").asString())
                .isEqualTo(RunRecord.RUNNING);
        assertThat(admin().post("/admin/training/runs", "{\"model\":\"resume-char\"}").statusCode()).as("its lock is held").isEqualTo(409);
        Files.setLastModifiedTime(lock, FileTime.from(Instant.now().minus(Duration.ofMinutes(10))));
        assertThat(json.readTree(new ApiClient(port).get("/training/runs?model=resume-char").body()).get(0).get("status").asString())
                .isEqualTo(RunRecord.INTERRUPTED);
        Files.writeString(lock, gone.pid() + "@" + host + " " + id + " " + Instant.now() + " 120\n");

        HttpResponse<String> next = admin().post("/admin/training/runs", "{\"model\":\"resume-char\",\"max_steps\":999}");
        assertThat(next.statusCode()).as(next.body()).isEqualTo(202);
        JsonNode accepted = json.readTree(next.body());
        assertThat(accepted.get("run_id").asString()).isEqualTo(id);
        assertThat(accepted.get("resumes_from_step").asInt()).isEqualTo(10);
        assertThat(accepted.get("settings").get("max_steps").asInt()).as("the interrupted run's own").isEqualTo(30);
        assertThat(accepted.get("settings").get("corpus").asString()).isEqualTo("resume.txt");

        JsonNode run = ended("resume-char", id);
        assertThat(run.get("status").asString()).as(run.toString()).isEqualTo("published");
        assertThat(run.get("resumedFrom").get(0).asInt()).isEqualTo(10);
        assertThat(run.get("step").asInt()).isEqualTo(30);
        assertThat(lock).doesNotExist();
        ModelStore store = new ModelStore(store());
        assertThat(store.metadata("resume-char", store.currentVersion("resume-char").orElseThrow()).chat().template())
                .as("the chat template it started with").isEqualTo(TEMPLATE);
        assertThat(json.readTree(new ApiClient(port).get("/training/runs?model=resume-char").body()).get(0).get("status").asString())
                .isEqualTo("published");
    }

    @Test
    void oneRunAtATimePerModelAndOtherModelsQueueBehind() throws Exception {
        awaitIdle();
        uploaded("queue.txt", TrainingRunTest.grammarCorpus(400, 13));
        String first = "{\"model\":\"queue-a\",\"mode\":\"from_scratch\",\"corpus\":\"queue.txt\",\"architecture\":" + TINY_SHAPE
                + ",\"max_steps\":600}";
        HttpResponse<String> a = admin().post("/admin/training/runs", first);
        assertThat(a.statusCode()).as(a.body()).isEqualTo(202);
        assertThat(json.readTree(a.body()).get("status").asString()).isEqualTo("starting");
        HttpResponse<String> again = admin().post("/admin/training/runs", first);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(409);
        assertThat(json.readTree(again.body()).get("detail").asString()).contains("queue-a");
        HttpResponse<String> b = admin().post("/admin/training/runs",
                "{\"model\":\"queue-b\",\"mode\":\"from_scratch\",\"corpus\":\"queue.txt\",\"architecture\":" + TINY_SHAPE + ",\"max_steps\":5}");
        assertThat(b.statusCode()).as(b.body()).isEqualTo(202);
        assertThat(json.readTree(b.body()).get("status").asString()).as("behind queue-a").isEqualTo("queued");
        JsonNode list = json.readTree(admin().get("/admin/training/runs?model=queue-b").body());
        assertThat(list.get("queued").valueStream().map(q -> q.get("model").asString()).toList()).contains("queue-b");
        assertThat(admin().post("/admin/training/runs", "{\"model\":\"queue-b\",\"mode\":\"from_scratch\",\"corpus\":\"queue.txt\"}").statusCode())
                .as("queued counts as going").isEqualTo(409);
        JsonNode runA = ended("queue-a", json.readTree(a.body()).get("run_id").asString());
        JsonNode runB = ended("queue-b", json.readTree(b.body()).get("run_id").asString());
        assertThat(runA.get("status").asString()).isEqualTo("published");
        assertThat(runB.get("status").asString()).isEqualTo("published");
        assertThat(Instant.parse(runB.get("startedAt").asString())).as("after queue-a ended")
                .isAfterOrEqualTo(Instant.parse(runA.get("endedAt").asString()).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    }
}
