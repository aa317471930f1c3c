package dev.folio.interop;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Writes a checkpoint in torch.save's zip layout, for tests: {@code archive/data.pkl}, {@code archive/data/<key>} (stored, not deflated), byteorder, version. */
final class TorchZip {

    private final Map<String, byte[]> entries = new LinkedHashMap<>();

    TorchZip(byte[] dataPkl) {
        entries.put("archive/data.pkl", dataPkl);
        entries.put("archive/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
    }

    TorchZip storage(String key, float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            bytes.putFloat(v);
        }
        return entry("archive/data/" + key, bytes.array());
    }

    TorchZip entry(String name, byte[] bytes) {
        entries.put(name, bytes);
        return this;
    }

    Path writeTo(Path file) throws IOException {
        entries.put("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey());
                entry.setMethod(ZipEntry.STORED);
                entry.setSize(e.getValue().length);
                CRC32 crc = new CRC32();
                crc.update(e.getValue());
                entry.setCrc(crc.getValue());
                zip.putNextEntry(entry);
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return file;
    }
}
