package dev.folio.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.folio.store.ModelStore;
import dev.folio.store.TestModels;
import dev.folio.store.VersionNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Across versions: two versions of one model, inspected side by side, freed only when evicted and let go. */
class StoredVersionsTest {

    @Test
    void twoVersionsAnswerDifferentlyAndAnEvictedOneLivesUntilLetGo() throws Exception {
        Path root = Files.createTempDirectory("folio-inspect-versions");
        ModelStore store = new ModelStore(root);
        String first = TestModels.publish(store, 1).version();
        String second = TestModels.publish(store, 2).version();
        int[] text = TestModels.TOKENIZER.encode("to be or not");
        try (StoredVersions versions = new StoredVersions(store, 1)) {
            StoredVersions.Held older = versions.hold(TestModels.NAME, first);
            float[][] olderLogits = inspect(older).run(text, List.of(), Interventions.NONE).logits();
            try (StoredVersions.Held again = versions.hold(TestModels.NAME, first)) {
                assertThat(again.model()).as("a version is loaded once").isSameAs(older.model());
            }
            try (StoredVersions.Held newer = versions.hold(TestModels.NAME, second)) { // evicts the older, which is still held
                float[][] newerLogits = inspect(newer).run(text, List.of(), Interventions.NONE).logits();
                assertThat(newerLogits[text.length - 1]).isNotEqualTo(olderLogits[text.length - 1]);
                assertThat(inspect(older).run(text, List.of(), Interventions.NONE).logits()[text.length - 1])
                        .as("still usable while held").containsExactly(olderLogits[text.length - 1]);
            }
            older.close();
            assertThatThrownBy(() -> inspect(older).run(text, List.of(), Interventions.NONE)).as("freed once evicted and let go")
                    .isInstanceOf(RuntimeException.class);
            assertThatThrownBy(() -> versions.hold(TestModels.NAME, "v20000101-000000")).isInstanceOf(VersionNotFoundException.class);
        }
    }

    private static Inspector inspect(StoredVersions.Held held) {
        return new Inspector(held.model().gpt(), held.model().model().getNDManager());
    }
}
