package dev.folio.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/** SHA256SUMS in sha256sum's format ({@code <hex>  <file>}), so {@code sha256sum -c} checks it too. */
public final class Checksums {

    static final String FILE_NAME = "SHA256SUMS";

    private Checksums() {}

    static String sha256(Path file) throws IOException {
        MessageDigest digest = newDigest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Hex SHA-256 of bytes (the corpus digest recorded with each version). */
    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(newDigest().digest(bytes));
    }

    /** Writes SHA256SUMS for every regular file in {@code dir} (except itself). */
    static void write(Path dir) throws IOException {
        StringBuilder sums = new StringBuilder();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                String name = file.getFileName().toString();
                if (!name.equals(FILE_NAME)) {
                    sums.append(sha256(file)).append("  ").append(name).append('\n');
                }
            }
        }
        Files.writeString(dir.resolve(FILE_NAME), sums.toString(), StandardCharsets.UTF_8);
    }

    /** Checks every file SHA256SUMS lists; throws naming the first that is missing or differs. */
    static void verify(Path dir) throws IOException {
        Path sumsFile = dir.resolve(FILE_NAME);
        if (!Files.isRegularFile(sumsFile)) {
            throw new InvalidVersionException(dir.getFileName() + ": no " + FILE_NAME);
        }
        Map<String, String> expected = new LinkedHashMap<>();
        for (String line : Files.readAllLines(sumsFile, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            String[] parts = line.split("  ", 2);
            if (parts.length != 2 || parts[1].contains("/") || parts[1].contains("\\")) {
                throw new InvalidVersionException(dir.getFileName() + ": malformed " + FILE_NAME + " line: " + line);
            }
            expected.put(parts[1], parts[0]);
        }
        if (expected.isEmpty()) {
            throw new InvalidVersionException(dir.getFileName() + ": " + FILE_NAME + " lists no files");
        }
        for (Map.Entry<String, String> entry : expected.entrySet()) {
            Path file = dir.resolve(entry.getKey());
            if (!Files.isRegularFile(file)) {
                throw new InvalidVersionException(dir.getFileName() + ": " + entry.getKey() + " is missing");
            }
            String actual = sha256(file);
            if (!actual.equalsIgnoreCase(entry.getValue())) {
                throw new InvalidVersionException(dir.getFileName() + ": checksum mismatch for " + entry.getKey()
                        + " (expected " + entry.getValue() + ", found " + actual + "); refusing to load it");
            }
        }
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
