package dev.folio.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Loading a model must not leave libtorch (OpenMP) worker threads behind on the loading thread: each one
 * counts against the cores, and past the core count libgomp stops spinning and the decode scheduler's
 * parallel regions sleep and wake. Workers are native threads that take their creator's name.
 */
@EnabledOnOs(OS.LINUX)
class ModelRegistryThreadsTest {

    private static final String LOADER = "folio-loader"; // native thread names keep 15 characters

    @Test
    void loadingTheBundledModelLeavesNoWorkerThreadOnTheLoadingThread() throws Exception {
        AtomicReference<Object> namesakes = new AtomicReference<>();
        Thread loader = new Thread(() -> {
            try (ModelRegistry registry = new ModelRegistry(new ModelStore(Path.of("model-store")), "shakespeare-char")) {
                registry.loadInitial();
                namesakes.set(nativeThreadsNamed(LOADER));
            } catch (IOException | RuntimeException | Error e) {
                namesakes.set(e);
            }
        }, LOADER);
        loader.start();
        loader.join();

        assertThat(namesakes.get()).as("native threads named %s while it still runs (itself included)", LOADER).isEqualTo(1L);
    }

    private static long nativeThreadsNamed(String name) throws IOException {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            return tasks.filter(task -> {
                try {
                    return Files.readString(task.resolve("comm")).strip().equals(name);
                } catch (IOException gone) { // the thread ended meanwhile
                    return false;
                }
            }).count();
        }
    }
}
