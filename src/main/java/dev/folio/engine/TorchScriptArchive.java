package dev.folio.engine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A TorchScript archive (what {@code torch.jit.save} writes) for a module with no state of its own: its
 * TorchScript source, which libtorch compiles when it loads the archive, and an object of that class holding
 * nothing but the {@code training} flag. Tensors reach it as arguments, so the archive carries no weights.
 */
final class TorchScriptArchive {

    private static final String ROOT = "archive/";
    /** The archive format libtorch 2.x writes and reads. */
    private static final String FORMAT_VERSION = "10\n";

    private TorchScriptArchive() {}

    /**
     * @param className the class the source declares under {@code __torch__}
     * @param source TorchScript source of {@code code/__torch__.py}
     */
    static byte[] of(String className, String source) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            stored(zip, "data.pkl", moduleObject(className));
            stored(zip, "code/__torch__.py", source.getBytes(StandardCharsets.UTF_8));
            stored(zip, "constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'}); // an empty tuple
            stored(zip, "byteorder", "little".getBytes(StandardCharsets.US_ASCII));
            stored(zip, ".data/version", FORMAT_VERSION.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in memory: cannot happen
        }
        return bytes.toByteArray();
    }

    /** Pickle (protocol 2) of {@code __torch__.<className>()} with state {@code {"training": False}}. */
    private static byte[] moduleObject(String className) {
        ByteArrayOutputStream pickle = new ByteArrayOutputStream();
        pickle.write(0x80); // PROTO 2
        pickle.write(2);
        pickle.writeBytes(("c__torch__\n" + className + "\n").getBytes(StandardCharsets.US_ASCII)); // GLOBAL
        pickle.write(')'); // EMPTY_TUPLE: no constructor arguments
        pickle.write(0x81); // NEWOBJ
        pickle.write('}'); // EMPTY_DICT: the state
        byte[] key = "training".getBytes(StandardCharsets.US_ASCII);
        pickle.write('X'); // BINUNICODE, 4-byte little-endian length
        pickle.write(key.length);
        pickle.writeBytes(new byte[3]);
        pickle.writeBytes(key);
        pickle.write(0x89); // NEWFALSE
        pickle.write('s'); // SETITEM
        pickle.write('b'); // BUILD
        pickle.write('.'); // STOP
        return pickle.toByteArray();
    }

    /** Entries are stored, not deflated, as torch.jit.save writes them. */
    private static void stored(ZipOutputStream zip, String name, byte[] content) throws IOException {
        ZipEntry entry = new ZipEntry(ROOT + name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(content.length);
        CRC32 crc = new CRC32();
        crc.update(content);
        entry.setCrc(crc.getValue());
        zip.putNextEntry(entry);
        zip.write(content);
        zip.closeEntry();
    }
}
