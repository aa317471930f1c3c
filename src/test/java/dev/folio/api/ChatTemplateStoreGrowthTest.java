package dev.folio.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.folio.store.ModelMetadata;
import dev.folio.store.ModelStore;
import dev.folio.store.TestModels;
import dev.folio.store.TestStore;
import java.io.RandomAccessFile;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The chat-template route cannot fill the disk: each new version shares the weights file and retention applies; and
 * {@code GET /models} reads checksum verdicts rather than hashing every version on every call.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"folio.admin.key=adm1n", "folio.store.keep-versions=2"})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChatTemplateStoreGrowthTest {

    private static final String TEMPLATE = "{\"template\":\"{% for m in messages %}{{ m.content }}\\n{% endfor %}\"}";

    private static Path root;
    private static ModelMetadata first;

    @DynamicPropertySource
    static void store(DynamicPropertyRegistry registry) throws Exception {
        TestStore test = TestStore.create("template-store-test");
        root = test.root();
        first = test.publish(5);
        ApiTestSupport.serve(registry, test);
    }

    @LocalServerPort
    int port;

    @Autowired
    ModelStore store;

    private ApiClient admin() {
        return new ApiClient(port, Map.of("Authorization", "Bearer adm1n"));
    }

    private Path weights(String version) {
        return root.resolve(TestModels.NAME).resolve(version).resolve(TestModels.NAME + "-0000.params");
    }

    @Test
    @Order(1)
    void templateChangesShareTheWeightsFileAndRetentionHoldsTheCount() throws Exception {
        Object inode = Files.getAttribute(weights(first.version()), "unix:ino");
        String from = first.version();
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> created = admin().put("/admin/models/" + from + "/chat-template", TEMPLATE);
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            String version = admin().json(created.body()).get("version").asString();
            assertThat(Files.getAttribute(weights(version), "unix:ino")).as("the same file, linked, not copied").isEqualTo(inode);
            from = version;
        }
        List<String> versions = store.versions(TestModels.NAME);
        assertThat(versions).as("keep-versions 2: the newest two, which are also current and previous").hasSize(2);
        assertThat(versions.get(1)).isEqualTo(from);
        assertThat(Files.getAttribute(weights(from), "unix:nlink")).as("one file on disk for both versions").isEqualTo(2);
        HttpResponse<String> generated = new ApiClient(port).post("/generate", "{\"inputs\":\"abc\",\"parameters\":{\"max_new_tokens\":3}}");
        assertThat(generated.headers().firstValue("X-Folio-Model-Version")).contains(from);
    }

    @Test
    @Order(2)
    void readingTheModelsListDoesNotHashAnything() throws Exception {
        new ApiClient(port).get("/models");
        long hashed = store.versionsHashed();
        for (int i = 0; i < 5; i++) {
            JsonNode models = new ApiClient(port).json(new ApiClient(port).get("/models").body());
            assertThat(models.get("versions")).hasSize(2).allSatisfy(v -> assertThat(v.get("status").asString()).isEqualTo("valid"));
        }
        assertThat(store.versionsHashed()).as("verdicts kept from publish and load").isEqualTo(hashed);
    }

    @Test
    @Order(3)
    void aCorruptedVersionIsNoticedAndStillReportedAfterAReload() throws Exception {
        String older = store.versions(TestModels.NAME).get(0);
        Path metadata = root.resolve(TestModels.NAME).resolve(older).resolve("model.json");
        try (RandomAccessFile file = new RandomAccessFile(metadata.toFile(), "rw")) { // same size, new modification time
            file.seek(file.length() - 2);
            file.write(' ');
        }
        assertThat(status(older)).isEqualTo("invalid");
        long hashed = store.versionsHashed();
        assertThat(admin().post("/admin/models/" + older + "/promote", "").statusCode()).as("never served").isEqualTo(409);
        assertThat(status(older)).isEqualTo("invalid");
        assertThat(store.versionsHashed()).as("the failing verdict is kept, not recomputed on every read").isEqualTo(hashed);
        String served = admin().json(admin().post("/admin/models/rollback", "").body()).get("served").asString();
        assertThat(served).as("a reload hashes it again, refuses it, and keeps serving").isNotEqualTo(older);
        assertThat(store.versionsHashed()).as("loading always hashes").isGreaterThan(hashed);
        assertThat(status(older)).isEqualTo("invalid");
        ModelStore reopened = new ModelStore(root); // as after a restart: nothing remembered, hashed afresh
        assertThat(reopened.describe(TestModels.NAME).stream().filter(v -> v.version().equals(older)).findFirst().orElseThrow().valid()).isFalse();
    }

    private String status(String version) throws Exception {
        JsonNode models = new ApiClient(port).json(new ApiClient(port).get("/models").body());
        for (JsonNode v : models.get("versions")) {
            if (v.get("version").asString().equals(version)) {
                return v.get("status").asString();
            }
        }
        throw new AssertionError("no version " + version + " in " + models);
    }
}
