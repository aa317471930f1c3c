package dev.folio.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store across crashes, deletes, rollbacks and competing trainers. */
class StoreLifecycleTest {

    @TempDir
    Path root;

    private final AdjustableClock clock = new AdjustableClock();

    private ModelStore store() {
        return new ModelStore(root, clock);
    }

    /** A version published a second after the last, as version ids have one-second resolution. */
    private ModelMetadata publishOneSecondApart(ModelStore store, int seed) throws Exception {
        clock.advance(Duration.ofSeconds(1));
        return TestModels.publish(store, seed);
    }

    @Test
    void aCrashBetweenRenameAndPointerUpdateLeavesAConsistentStore() throws Exception {
        ModelStore store = store();
        ModelMetadata served = TestModels.publish(store, 1);
        ModelMetadata renamedOnly = publishOneSecondApart(store, 2);
        store.setCurrent(TestModels.NAME, served.version()); // as if the process died before the pointer moved
        Files.createDirectories(root.resolve(TestModels.NAME).resolve(".tmp-v20990101-000000-crashed")); // and a half-written one
        Files.writeString(root.resolve(TestModels.NAME).resolve(".tmp-v20990101-000000-crashed").resolve("model.json"), "{");

        assertThat(store.versions(TestModels.NAME)).containsExactly(served.version(), renamedOnly.version());
        try (LoadedModel loaded = store.loadCurrent(TestModels.NAME)) {
            assertThat(loaded.version()).isEqualTo(served.version());
        }
        assertThat(store.describe(TestModels.NAME)).allMatch(ModelStore.VersionInfo::valid);
        assertThat(store.cleanTemporaries(TestModels.NAME)).isEqualTo(1);
        try (var entries = Files.list(root.resolve(TestModels.NAME))) {
            assertThat(entries.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".tmp-"));
        }
    }

    @Test
    void rollbackReturnsToThePreviousCurrentAndDeleteRefusesTheCurrent() throws Exception {
        ModelStore store = store();
        ModelMetadata first = TestModels.publish(store, 3);
        ModelMetadata second = publishOneSecondApart(store, 4);
        assertThat(store.currentVersion(TestModels.NAME)).contains(second.version());
        assertThat(store.rollback(TestModels.NAME)).isEqualTo(first.version());
        assertThat(store.currentVersion(TestModels.NAME)).contains(first.version());
        assertThat(store.previousVersion(TestModels.NAME)).contains(second.version());
        assertThatThrownBy(() -> store.delete(TestModels.NAME, first.version())).hasMessageContaining("is current");
        store.delete(TestModels.NAME, second.version());
        assertThat(store.versions(TestModels.NAME)).containsExactly(first.version());
        assertThatThrownBy(() -> store.rollback(TestModels.NAME)).hasMessageContaining("no longer exists");
    }

    @Test
    void retentionKeepsTheNewestPlusCurrentPreviousAndPinned() throws Exception {
        ModelStore store = store();
        ModelMetadata v1 = TestModels.publish(store, 5);
        ModelMetadata v2 = publishOneSecondApart(store, 6);
        ModelMetadata v3 = publishOneSecondApart(store, 7);
        ModelMetadata v4 = publishOneSecondApart(store, 8);
        store.setCurrent(TestModels.NAME, v2.version()); // current v2, previous v4
        List<String> deleted = store.retain(TestModels.NAME, 1, List.of(v1.version()));
        assertThat(deleted).containsExactly(v3.version());
        assertThat(store.versions(TestModels.NAME)).containsExactly(v1.version(), v2.version(), v4.version());
    }

    @Test
    void aTamperedVersionIsListedAsInvalid() throws Exception {
        ModelStore store = store();
        ModelMetadata stored = TestModels.publish(store, 9);
        Files.writeString(root.resolve(TestModels.NAME).resolve(stored.version()).resolve("model.json"), "{\"format\":1}");
        ModelStore.VersionInfo info = store.describe(TestModels.NAME).get(0);
        assertThat(info.valid()).isFalse();
        assertThat(info.problem()).contains("checksum mismatch for model.json");
    }

    @Test
    void oneTrainingLockPerModelAcrossHoldersAndAStaleOneIsTakenOver() throws Exception {
        Path modelDir = root.resolve(TestModels.NAME);
        Optional<TrainingLock> first = TrainingLock.tryAcquire(modelDir, "r1", Duration.ofMinutes(2));
        assertThat(first).isPresent();
        assertThat(TrainingLock.tryAcquire(modelDir, "r2", Duration.ofMinutes(2))).as("a live holder keeps it").isEmpty();
        first.get().close();
        Optional<TrainingLock> again = TrainingLock.tryAcquire(modelDir, "r3", Duration.ofMinutes(2));
        assertThat(again).isPresent();
        again.get().close();

        // a holder whose process is gone (pid of a finished child on this host)
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        String host = java.net.InetAddress.getLocalHost().getHostName();
        Files.writeString(modelDir.resolve("training.lock"), gone.pid() + "@" + host + " r4 2026-01-01T00:00:00Z\n");
        Optional<TrainingLock> takenOver = TrainingLock.tryAcquire(modelDir, "r5", Duration.ofMinutes(2));
        assertThat(takenOver).isPresent();
        assertThat(Files.readString(modelDir.resolve("training.lock"))).contains("r5");
        takenOver.get().close();

        // a holder on another host whose heartbeat stopped long ago
        Files.writeString(modelDir.resolve("training.lock"), "1@another-pod r6 2026-01-01T00:00:00Z\n");
        Files.setLastModifiedTime(modelDir.resolve("training.lock"), java.nio.file.attribute.FileTime.fromMillis(0));
        assertThat(TrainingLock.tryAcquire(modelDir, "r7", Duration.ofMinutes(2))).isPresent();
    }

    @Test
    void hostileVersionIdsNeverReachTheFilesystem() {
        ModelStore store = store();
        for (String hostile : List.of("..", "../v20261128-174500", "/etc/passwd", "v20261128-174500/../../x", "v20261128-174500%2F..",
                "v2026112-174500", "V20261128-174500")) {
            assertThatThrownBy(() -> store.load(TestModels.NAME, hostile)).as(hostile).hasMessageContaining("invalid version id");
            assertThatThrownBy(() -> store.delete(TestModels.NAME, hostile)).as(hostile).hasMessageContaining("invalid version id");
            assertThatThrownBy(() -> store.setCurrent(TestModels.NAME, hostile)).as(hostile).hasMessageContaining("invalid version id");
        }
    }
}
