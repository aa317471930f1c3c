package dev.folio.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which models join after start: every new one when the whole store is served, none for a fixed list. */
class ModelRegistriesTest {

    @TempDir
    Path root;

    @Test
    void servingTheWholeStoreTakesInANewModelOnceAndTellsItsListeners() throws Exception {
        ModelStore store = new ModelStore(root);
        TestModels.publish(store, 81);
        try (ModelRegistries registries = ModelRegistries.load(store, TestModels.NAME, List.of())) {
            List<String> joined = new CopyOnWriteArrayList<>();
            registries.onJoin(registry -> joined.add(registry.modelName()));
            assertThat(registries.discover()).isEmpty();

            ModelMetadata caps = TestModels.publishCaps(store, 82);
            assertThat(registries.discover()).extracting(ModelRegistry::modelName).containsExactly(TestModels.CAPS_NAME);
            assertThat(joined).containsExactly(TestModels.CAPS_NAME);
            assertThat(registries.names()).containsExactly(TestModels.NAME, TestModels.CAPS_NAME);
            assertThat(registries.get(TestModels.CAPS_NAME).orElseThrow().currentMetadata().orElseThrow().version()).isEqualTo(caps.version());
            assertThat(registries.discover()).as("already served").isEmpty();
            assertThat(registries.defaultName()).isEqualTo(TestModels.NAME);
        }
    }

    @Test
    void aNewModelWithNoServableVersionWaitsForANewVersion() throws Exception {
        AdjustableClock clock = new AdjustableClock();
        ModelStore store = new ModelStore(root, clock);
        TestModels.publish(store, 83);
        try (ModelRegistries registries = ModelRegistries.load(store, TestModels.NAME, List.of())) {
            ModelMetadata broken = TestModels.publishCaps(store, 84);
            Path weights = root.resolve(TestModels.CAPS_NAME).resolve(broken.version()).resolve(broken.paramsFile());
            Files.write(weights, new byte[] {1, 2, 3}); // fails its checksum
            assertThat(registries.discover()).isEmpty();
            assertThat(registries.get(TestModels.CAPS_NAME)).isEmpty();
            assertThat(registries.discover()).as("still refused: its versions have not changed").isEmpty();

            clock.advance(Duration.ofSeconds(1)); // a new version id second
            ModelMetadata fixed = TestModels.publishCaps(store, 85);
            assertThat(registries.discover()).extracting(ModelRegistry::modelName).containsExactly(TestModels.CAPS_NAME);
            assertThat(registries.get(TestModels.CAPS_NAME).orElseThrow().currentMetadata().orElseThrow().version()).isEqualTo(fixed.version());
        }
    }

    @Test
    void aFixedListOfModelsNeverGrows() throws Exception {
        ModelStore store = new ModelStore(root);
        TestModels.publish(store, 86);
        try (ModelRegistries registries = ModelRegistries.load(store, TestModels.NAME, List.of(TestModels.NAME))) {
            TestModels.publishCaps(store, 87);
            assertThat(registries.discover()).isEmpty();
            assertThat(registries.names()).containsExactly(TestModels.NAME);
        }
    }
}
