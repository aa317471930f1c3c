package dev.folio.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Training corpora by name, in one directory ({@code folio.training.corpus-dir}, by default {@code <store>/corpora}):
 * a corpus is named, never given as a path. Names match {@value #NAME_PATTERN} (no separators, no leading dot, no NUL),
 * so a name cannot leave the directory; a symbolic link in it that points outside is refused too. Uploads are strict
 * UTF-8, written to a hidden temporary file, fsynced and renamed into place (atomically replacing one of the same name).
 */
public final class CorpusStore {

    /** What a corpus name may be. */
    public static final String NAME_PATTERN = "[A-Za-z0-9][A-Za-z0-9._-]{0,63}";
    private static final Pattern NAME = Pattern.compile(NAME_PATTERN);

    private final Path dir;

    public CorpusStore(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    public Path directory() {
        return dir;
    }

    public static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    public static String requireName(String name) {
        if (!isValidName(name)) {
            throw new IllegalArgumentException("invalid corpus name '" + printable(name) + "': letters, digits, '.', '_' and '-', "
                    + "at most 64, starting with a letter or digit (a name, never a path)");
        }
        return name;
    }

    /** A corpus as listed. */
    public record Info(String name, long sizeBytes, String sha256, Instant modifiedAt) {}

    /** An upload, once written. */
    public record Written(String name, long sizeBytes, String sha256, long characters, boolean created) {}

    /** The body of an upload is not UTF-8; {@link #offset()} is where the first bad byte sits. */
    public static final class MalformedTextException extends IllegalArgumentException {
        private final long offset;

        MalformedTextException(long offset) {
            super("the corpus is not valid UTF-8 (first bad byte at offset " + offset + ")");
            this.offset = offset;
        }

        public long offset() {
            return offset;
        }
    }

    /** The file of a corpus, or empty if there is none by that name (or it points outside the directory). */
    public Optional<Path> find(String name) throws IOException {
        Path file = dir.resolve(requireName(name));
        if (!file.getParent().equals(dir) || !Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            Path real = file.toRealPath();
            return real.startsWith(dir.toRealPath()) ? Optional.of(file) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** Every corpus, by name. */
    public List<Info> list() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<String> names;
        try (Stream<Path> entries = Files.list(dir)) {
            names = entries.map(p -> p.getFileName().toString()).filter(CorpusStore::isValidName).sorted().toList();
        }
        List<Info> corpora = new ArrayList<>();
        for (String name : names) {
            Optional<Path> file = find(name);
            if (file.isPresent()) {
                try {
                    corpora.add(new Info(name, Files.size(file.get()), sha256(file.get()), Files.getLastModifiedTime(file.get()).toInstant()));
                } catch (NoSuchFileException gone) {
                    // replaced or removed while listing
                }
            }
        }
        return corpora;
    }

    /**
     * Writes a corpus, replacing one of the same name atomically.
     *
     * @throws MalformedTextException if the bytes are not UTF-8
     * @throws IllegalArgumentException if the name is invalid or the corpus is empty
     */
    public Written write(String name, byte[] utf8) throws IOException {
        requireName(name);
        String text = decode(utf8);
        if (text.isEmpty()) {
            throw new IllegalArgumentException("the corpus is empty");
        }
        Files.createDirectories(dir);
        Path target = dir.resolve(name);
        boolean created = !Files.exists(target, LinkOption.NOFOLLOW_LINKS);
        Path temp = dir.resolve("." + name + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(utf8);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
            directory.force(true);
        } catch (IOException ignored) {
            // not every file system lets a directory be synced
        }
        return new Written(name, utf8.length, Checksums.sha256(utf8), text.length(), created);
    }

    /** Strict UTF-8: a malformed or truncated sequence is an error naming its offset, never a replacement character. */
    public static String decode(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            throw new MalformedTextException(in.position());
        }
        result = decoder.flush(out);
        if (result.isError()) {
            throw new MalformedTextException(in.position());
        }
        return out.flip().toString();
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** A name for a message: control characters (NUL and the like) shown as escapes. */
    static String printable(String name) {
        if (name == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder();
        name.codePoints().limit(80).forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }
}
