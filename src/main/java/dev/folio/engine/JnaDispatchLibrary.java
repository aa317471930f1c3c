package dev.folio.engine;

import com.sun.jna.Platform;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * JNA's native part (libjnidispatch), unpacked once into a directory JNA is told to load it from
 * ({@code -Djna.boot.library.path}). Otherwise JNA unpacks it into the temporary directory at every start, which fails where
 * {@code /tmp} is mounted noexec (a container's {@code --tmpfs /tmp}), and then {@link OpenMpSpin} and
 * {@link AtenCpuCapability} cannot set what libtorch reads. The container image unpacks it at build time with {@code engine}.
 */
public final class JnaDispatchLibrary {

    public static final String PATH_PROPERTY = "jna.boot.library.path";

    private JnaDispatchLibrary() {}

    /** The directory JNA loads from first (the first of {@value #PATH_PROPERTY}), or null if none is set. */
    public static Path configuredDirectory() {
        String path = System.getProperty(PATH_PROPERTY);
        return path == null || path.isBlank() ? null : Path.of(path.split(java.io.File.pathSeparator)[0]);
    }

    /** Copies this platform's library out of JNA's jar into {@code dir} (kept if already there) and returns the file. */
    public static Path unpackInto(Path dir) throws IOException {
        String name = System.mapLibraryName("jnidispatch").replace(".dylib", ".jnilib"); // JNA's own naming on macOS
        Path target = dir.resolve(name);
        if (Files.isRegularFile(target)) {
            return target;
        }
        String resource = "/com/sun/jna/" + Platform.RESOURCE_PREFIX + "/" + name;
        try (InputStream in = Platform.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("JNA has no native library for this platform: " + resource);
            }
            Files.createDirectories(dir);
            Path temp = Files.createTempFile(dir, ".jnidispatch", ".tmp");
            Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        }
        return target;
    }
}
