package dev.folio.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A model store in a temporary directory, removed when the JVM exits, with room beside it for the files a test adds
 * (corpora): the one fixture for "a store with a small model in a temp dir". {@link TestModels} makes the models.
 *
 * @param dir the temporary directory; the store is {@code dir/store}
 * @param store the store
 */
public record TestStore(Path dir, ModelStore store) {

    /** An empty store. */
    public static TestStore create(String name) {
        return create(name, Clock.systemUTC());
    }

    /** An empty store whose version ids come from {@code clock}. */
    public static TestStore create(String name, Clock clock) {
        try {
            Path dir = Files.createTempDirectory("folio-" + name);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
            return new TestStore(dir, new ModelStore(Files.createDirectories(dir.resolve("store")), clock));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A store holding {@link TestModels}' tiny model, its weights from {@code seed}. */
    public static TestStore withTinyModel(String name, int seed) {
        TestStore store = create(name);
        store.publish(seed);
        return store;
    }

    /** The store's root. */
    public Path root() {
        return store.root();
    }

    /** Publishes another version of the tiny model. */
    public ModelMetadata publish(int seed) {
        try {
            return TestModels.publish(store, seed);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // best effort: a temporary directory
        }
    }
}
