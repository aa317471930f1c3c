package dev.folio.interop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** nanoGPT's {@code meta.pkl} (a plain dict: {@code vocab_size}, {@code itos}, {@code stoi}) as Folio's vocabulary string. */
final class NanoGptMeta {

    static final String FILE_NAME = "meta.pkl";
    private static final long MAX_BYTES = 16L * 1024 * 1024;

    private NanoGptMeta() {}

    static String vocabulary(Path file) throws IOException {
        String where = file.getFileName().toString();
        if (!Files.isRegularFile(file)) {
            throw new RefusedFileException(file + " does not exist");
        }
        if (Files.size(file) > MAX_BYTES) {
            throw new RefusedFileException(where + " is larger than the " + MAX_BYTES + " bytes a vocabulary may be");
        }
        if (!(Unpickler.load(Files.readAllBytes(file), where) instanceof Map<?, ?> meta) || !(meta.get("itos") instanceof Map<?, ?> itos)) {
            throw new RefusedFileException(where + ": not nanoGPT's meta.pkl (a dict with itos, id → character)");
        }
        StringBuilder vocabulary = new StringBuilder();
        for (long id = 0; id < itos.size(); id++) {
            if (!(itos.get(id) instanceof String c) || c.codePointCount(0, c.length()) != 1) {
                throw new RefusedFileException(where + ": itos[" + id + "] is " + (itos.containsKey(id) ? "not a single character" : "missing")
                        + "; Folio imports character-level vocabularies only");
            }
            vocabulary.append(c);
        }
        if (meta.get("stoi") instanceof Map<?, ?> stoi) {
            int[] chars = vocabulary.codePoints().toArray();
            for (int id = 0; id < chars.length; id++) {
                if (!Long.valueOf(id).equals(stoi.get(new String(chars, id, 1)))) {
                    throw new RefusedFileException(where + ": stoi and itos disagree about id " + id);
                }
            }
        }
        return vocabulary.toString();
    }
}
