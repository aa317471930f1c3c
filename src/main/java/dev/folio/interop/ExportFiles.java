package dev.folio.interop;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Where an export's files go: a directory, or entries of a zip streamed to a client. */
public interface ExportFiles {

    /** What writes one file's bytes. */
    interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    void add(String name, Body body) throws IOException;

    /** Files in a directory (created if missing). */
    static ExportFiles directory(Path dir) throws IOException {
        Files.createDirectories(dir);
        return (name, body) -> {
            try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(dir.resolve(name)), 1 << 16)) {
                body.writeTo(out);
            }
        };
    }

    /** Entries of a zip, each under {@code folder/}; the caller closes the zip. */
    static ExportFiles zip(ZipOutputStream zip, String folder) {
        return (name, body) -> {
            zip.putNextEntry(new ZipEntry(folder + "/" + name));
            body.writeTo(new FilterOutputStream(zip) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                }

                @Override
                public void close() {
                    // the entry is closed below, the zip by its owner
                }
            });
            zip.closeEntry();
        };
    }
}
