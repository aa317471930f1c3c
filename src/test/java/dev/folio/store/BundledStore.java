package dev.folio.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * A temporary store holding only the repository's bundled model, for tests that serve it: whatever else a user trained into
 * {@code model-store/} is not theirs to see, and nothing they do writes into the repository. Made once per JVM, removed at exit.
 */
public final class BundledStore {

    public static final String MODEL = "shakespeare-char";
    private static Path store;

    private BundledStore() {}

    public static synchronized Path copy() {
        if (store == null) {
            Path bundled = Path.of("model-store", MODEL).toAbsolutePath();
            assertThat(bundled.resolve("current")).as("the bundled model %s", bundled).isRegularFile();
            try {
                Path root = TestStore.create("bundled-store").root();
                copyTree(bundled, root.resolve(MODEL));
                store = root;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return store;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path source : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else if (!source.getFileName().toString().equals("training.lock")) { // a run going in the repository's store
                    Files.copy(source, target);
                }
            }
        }
    }
}
