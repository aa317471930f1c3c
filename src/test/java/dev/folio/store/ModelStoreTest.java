package dev.folio.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.folio.engine.GradMode;
import dev.folio.model.Gpt;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelStoreTest {

    @TempDir
    Path root;

    private static float[] logits(Model model, Gpt gpt, int[] ids) {
        try (NDManager manager = model.getNDManager().newSubManager(); GradMode ignored = GradMode.disabled()) {
            return gpt.logits(new ParameterStore(manager, false), manager.create(ids, new Shape(1, ids.length)), false).toFloatArray();
        }
    }

    @Test
    void saveThenLoadGivesIdenticalLogits() throws IOException {
        ModelStore store = new ModelStore(root);
        int[] ids = TestModels.TOKENIZER.encode("to be, or not.");
        float[] before;
        Engine.getInstance().setRandomSeed(21);
        try (Model model = Model.newInstance(TestModels.NAME)) {
            Gpt gpt = new Gpt(TestModels.config());
            model.setBlock(gpt);
            gpt.initialize(model.getNDManager());
            before = logits(model, gpt, ids);
            ModelMetadata stored = store.publish(model, new ModelMetadata(ModelMetadata.FORMAT, TestModels.NAME, null, null,
                    TestModels.config(), TestModels.TOKENIZER.vocabulary(), TestModels.config().parameterCount(), "x", null, null, null));
            assertThat(store.currentVersion(TestModels.NAME)).contains(stored.version());
        }
        try (LoadedModel loaded = store.loadCurrent(TestModels.NAME)) {
            assertThat(logits(loaded.model(), loaded.gpt(), ids)).containsExactly(before);
            assertThat(loaded.tokenizer()).isEqualTo(TestModels.TOKENIZER);
        }
    }

    @Test
    void aVersionDirectoryHoldsMetadataWeightsAndChecksums() throws IOException {
        ModelStore store = new ModelStore(root);
        ModelMetadata stored = TestModels.publish(store, 1);
        Path dir = root.resolve(TestModels.NAME).resolve(stored.version());
        assertThat(dir.resolve("model.json")).exists();
        assertThat(dir.resolve(TestModels.NAME + "-0000.params")).exists();
        assertThat(Files.readString(dir.resolve("SHA256SUMS")))
                .contains("  model.json\n").contains("  " + TestModels.NAME + "-0000.params\n");
        assertThat(Files.readString(root.resolve(TestModels.NAME).resolve("current")).trim()).isEqualTo(stored.version());
        try (var entries = Files.list(root.resolve(TestModels.NAME))) {
            assertThat(entries.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("current", stored.version());
        }
    }

    @Test
    void aTamperedParamsFileIsRefused() throws IOException {
        ModelStore store = new ModelStore(root);
        ModelMetadata stored = TestModels.publish(store, 2);
        Path params = root.resolve(TestModels.NAME).resolve(stored.version()).resolve(TestModels.NAME + "-0000.params");
        try (RandomAccessFile file = new RandomAccessFile(params.toFile(), "rw")) {
            file.seek(file.length() - 10);
            int b = file.read();
            file.seek(file.length() - 10);
            file.write(b ^ 0x01); // flip one bit of one weight
        }
        assertThatThrownBy(() -> store.load(TestModels.NAME, stored.version()))
                .isInstanceOf(InvalidVersionException.class)
                .hasMessageContaining("checksum mismatch for " + TestModels.NAME + "-0000.params");
    }

    @Test
    void versionIdsAreValidatedBeforeTouchingTheFilesystem() {
        ModelStore store = new ModelStore(root);
        assertThatThrownBy(() -> store.load(TestModels.NAME, "../../etc")).hasMessageContaining("invalid version id");
        assertThatThrownBy(() -> store.load("../x", "v20261128-174500")).hasMessageContaining("invalid model name");
        assertThat(VersionId.isValid("v20261128-174500")).isTrue();
        assertThat(VersionId.isValid("v20261128-174500/..")).isFalse();
    }

    @Test
    void theRegistryFallsBackToTheNewestValidVersionWhenCurrentIsBroken() throws Exception {
        AdjustableClock clock = new AdjustableClock();
        ModelStore store = new ModelStore(root, clock);
        ModelMetadata older = TestModels.publish(store, 3);
        clock.advance(Duration.ofSeconds(1)); // version ids have one-second resolution
        ModelMetadata newer = TestModels.publish(store, 4);
        Files.delete(root.resolve(TestModels.NAME).resolve(newer.version()).resolve("SHA256SUMS"));
        try (ModelRegistry registry = new ModelRegistry(store, TestModels.NAME)) {
            assertThat(registry.loadInitial().version()).isEqualTo(older.version());
            try (ModelRegistry.Lease lease = registry.acquire()) {
                assertThat(lease.model().version()).isEqualTo(older.version());
            }
        }
    }

    @Test
    void aSwappedOutModelStaysUsableUntilItsLastLeaseCloses() throws Exception {
        AdjustableClock clock = new AdjustableClock();
        ModelStore store = new ModelStore(root, clock);
        ModelMetadata first = TestModels.publish(store, 5);
        try (ModelRegistry registry = new ModelRegistry(store, TestModels.NAME)) {
            registry.loadInitial();
            ModelRegistry.Lease inFlight = registry.acquire();
            clock.advance(Duration.ofSeconds(1));
            ModelMetadata second = TestModels.publish(store, 6);
            registry.swap(store.load(TestModels.NAME, second.version()));
            // the in-flight request still computes on the first version's weights
            float[] out = logits(inFlight.model().model(), inFlight.model().gpt(), new int[] {1, 2, 3});
            assertThat(out).hasSize(3 * TestModels.TOKENIZER.vocabSize());
            assertThat(inFlight.model().version()).isEqualTo(first.version());
            inFlight.close();
            try (ModelRegistry.Lease next = registry.acquire()) {
                assertThat(next.model().version()).isEqualTo(second.version());
            }
        }
    }

    @Test
    void aPublishAfterRetentionIsTheNewestEvenWhenEarlierOnesWereDatedAheadOfTheClock() throws IOException {
        ModelStore store = new ModelStore(root);
        for (int i = 0; i < 4; i++) {
            TestModels.publish(store, i); // within a second or two: ids run ahead of the clock
        }
        store.retain(TestModels.NAME, 1, java.util.List.of()); // frees the older ids, which the clock may not have passed
        ModelMetadata last = TestModels.publish(store, 9);
        java.util.List<String> versions = store.versions(TestModels.NAME);
        assertThat(versions.get(versions.size() - 1)).isEqualTo(last.version());
        assertThat(store.currentVersion(TestModels.NAME)).contains(last.version());
    }

    @Test
    void aChatTemplateVersionLinksTheWeightsAndAReadDoesNotHashThem() throws IOException {
        ModelStore store = new ModelStore(root);
        ModelMetadata from = TestModels.publish(store, 3);
        ModelMetadata copy = store.publishWithChat(TestModels.NAME, from.version(), TestModels.CHAT);
        Path weights = root.resolve(TestModels.NAME).resolve(from.version()).resolve(from.paramsFile());
        assertThat(Files.getAttribute(root.resolve(TestModels.NAME).resolve(copy.version()).resolve(copy.paramsFile()), "unix:ino"))
                .isEqualTo(Files.getAttribute(weights, "unix:ino"));
        long hashed = store.versionsHashed();
        store.describe(TestModels.NAME);
        store.metadata(TestModels.NAME, from.version());
        assertThat(store.versionsHashed()).as("verdicts from publish").isEqualTo(hashed);
        try (RandomAccessFile file = new RandomAccessFile(weights.toFile(), "rw")) {
            file.seek(file.length() - 3);
            file.write(0x7f);
        }
        assertThat(store.describe(TestModels.NAME)).as("both versions share the corrupted file").noneMatch(ModelStore.VersionInfo::valid);
        assertThat(store.versionsHashed()).isEqualTo(hashed + 2);
        assertThatThrownBy(() -> store.load(TestModels.NAME, copy.version())).isInstanceOf(InvalidVersionException.class);
    }
}
