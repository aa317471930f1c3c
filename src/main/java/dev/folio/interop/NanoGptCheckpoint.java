package dev.folio.interop;

import dev.folio.model.GptConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads nanoGPT's {@code ckpt.pt}: a PyTorch zip ({@code <archive>/data.pkl}, the pickle, and {@code <archive>/data/<key>},
 * each tensor storage's raw little-endian bytes) holding {@code model} (the state dict), {@code model_args} and
 * {@code iter_num}. The pickle is read by {@link Unpickler}, which runs nothing; only the model's storages are read, not the
 * optimizer's. The vocabulary comes from nanoGPT's {@code meta.pkl} ({@link NanoGptMeta}).
 */
public final class NanoGptCheckpoint {

    public static final String FILE_NAME = "ckpt.pt";
    /** The most a checkpoint's pickle may be: a state dict's pickle is kilobytes, its tensors live beside it. */
    static final long MAX_PICKLE_BYTES = 64L * 1024 * 1024;
    private static final String COMPILED_PREFIX = "_orig_mod."; // torch.compile's wrapper

    private NanoGptCheckpoint() {}

    /**
     * @param meta nanoGPT's meta.pkl; null: {@code meta.pkl} beside the checkpoint, else {@code data/<dataset>/meta.pkl} in the nanoGPT
     *     checkout the checkpoint's out_dir is in, else in the working directory (as sample.py finds it)
     */
    public static ImportedModel read(Path checkpoint, Path meta) throws IOException {
        String where = checkpoint.getFileName().toString();
        try (ZipFile zip = open(checkpoint, where)) {
            String archive = archivePrefix(zip, where);
            ZipEntry byteOrder = zip.getEntry(archive + "byteorder");
            if (byteOrder != null && !new String(read(zip, byteOrder, 16, where), StandardCharsets.US_ASCII).trim().equals("little")) {
                throw new RefusedFileException(where + ": its tensors are stored big-endian, which Folio does not read");
            }
            Object root = Unpickler.load(read(zip, zip.getEntry(archive + "data.pkl"), MAX_PICKLE_BYTES, where), where);
            Map<?, ?> top = map(root, "the checkpoint", where);
            Map<?, ?> args = map(top.get("model_args"), "model_args", where);
            Map<?, ?> stateDict = map(top.get("model"), "model (the state dict)", where);
            GptConfig config = architecture(args, where);
            Path metaFile = metaFile(checkpoint, meta, top).orElseThrow(() -> new RefusedFileException(where
                    + ": no meta.pkl beside it or under data/<dataset>/; give nanoGPT's meta.pkl (its stoi/itos vocabulary) with --meta"));
            String vocabulary = NanoGptMeta.vocabulary(metaFile);
            Map<String, Tensor> tensors = tensors(zip, archive, stateDict, where);
            ImportedModel.requireWeightsFor(config, tensors.values(), where);
            Object steps = top.get("iter_num");
            return new ImportedModel(config, vocabulary, tensors, where + (steps == null ? "" : " (nanoGPT, iter_num " + steps + ")"));
        }
    }

    private static ZipFile open(Path checkpoint, String where) throws IOException {
        try {
            return new ZipFile(checkpoint.toFile());
        } catch (ZipException e) {
            throw new RefusedFileException(where + ": not a PyTorch zip checkpoint (torch.save has written zips since PyTorch 1.6; "
                    + "the older format is not read)");
        }
    }

    /** The folder every entry is under ({@code archive/} by default): the one holding data.pkl. */
    private static String archivePrefix(ZipFile zip, String where) {
        List<String> pickles = zip.stream().map(ZipEntry::getName).filter(n -> n.endsWith("/data.pkl") && n.indexOf('/') == n.length() - 9).toList();
        if (pickles.size() != 1) {
            throw new RefusedFileException(where + ": a PyTorch checkpoint holds one <archive>/data.pkl, this one holds " + pickles.size());
        }
        return pickles.get(0).substring(0, pickles.get(0).length() - "data.pkl".length());
    }

    private static GptConfig architecture(Map<?, ?> args, String where) {
        try {
            return new GptConfig(dimension(args, "vocab_size", where), dimension(args, "block_size", where), dimension(args, "n_layer", where),
                    dimension(args, "n_head", where), dimension(args, "n_embd", where), 0f, Boolean.TRUE.equals(args.get("bias")));
        } catch (IllegalArgumentException e) {
            throw new RefusedFileException(where + ": model_args: " + e.getMessage());
        }
    }

    private static int dimension(Map<?, ?> args, String key, String where) {
        if (!(args.get(key) instanceof Long value)) {
            throw new RefusedFileException(where + ": model_args." + key + " is " + (args.containsKey(key) ? "not an integer" : "missing"));
        }
        return ImportedModel.dimension("model_args." + key, value, where);
    }

    private static Optional<Path> metaFile(Path checkpoint, Path given, Map<?, ?> top) {
        if (given != null) {
            return Optional.of(given);
        }
        Path beside = checkpoint.toAbsolutePath().resolveSibling(NanoGptMeta.FILE_NAME);
        if (Files.isRegularFile(beside)) {
            return Optional.of(beside);
        }
        if (top.get("config") instanceof Map<?, ?> config && config.get("dataset") instanceof String dataset && dataset.matches("[\\w.-]+")) {
            Path checkout = checkpoint.toAbsolutePath().getParent().getParent(); // nanoGPT's <checkout>/<out_dir>/ckpt.pt
            for (Path data : checkout == null ? List.of(Path.of("data")) : List.of(checkout.resolve("data"), Path.of("data"))) {
                Path file = data.resolve(dataset).resolve(NanoGptMeta.FILE_NAME);
                if (Files.isRegularFile(file)) {
                    return Optional.of(file);
                }
            }
        }
        return Optional.empty();
    }

    /** The state dict's tensors by Folio's names: torch.compile's prefix and the causal-mask buffers dropped, the tied head checked. */
    private static Map<String, Tensor> tensors(ZipFile zip, String archive, Map<?, ?> stateDict, String where) throws IOException {
        Map<String, byte[]> storages = new HashMap<>();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Tensor head = null;
        for (Map.Entry<?, ?> entry : stateDict.entrySet()) {
            String name = String.valueOf(entry.getKey());
            name = name.startsWith(COMPILED_PREFIX) ? name.substring(COMPILED_PREFIX.length()) : name;
            if (GptLayout.isCausalMask(name)) {
                continue;
            }
            if (!(entry.getValue() instanceof Unpickler.TensorRef ref)) {
                throw new RefusedFileException(where + ": the state dict's " + name + " is not a tensor");
            }
            Tensor tensor = tensor(zip, archive, ref, storages, name, where);
            if (name.equals("lm_head.weight")) {
                head = tensor;
            } else {
                tensors.put(name, tensor);
            }
        }
        if (head != null && !head.equals(tensors.get("transformer.wte.weight"))) {
            throw new RefusedFileException(where + ": lm_head.weight differs from transformer.wte.weight; Folio's model ties them, as nanoGPT's does");
        }
        return tensors;
    }

    private static Tensor tensor(ZipFile zip, String archive, Unpickler.TensorRef ref, Map<String, byte[]> storages, String name, String where)
            throws IOException {
        StorageType type = StorageType.of(ref.storage().type())
                .orElseThrow(() -> new RefusedFileException(where + ": " + name + " is a " + ref.storage().type() + "; weights are floating point"));
        String key = ref.storage().key();
        if (!key.matches("\\w+")) {
            throw new RefusedFileException(where + ": " + name + " names the storage '" + key + "'");
        }
        long storageBytes = ref.storage().elements() * type.size;
        byte[] bytes = storages.get(key);
        if (bytes == null) {
            ZipEntry entry = zip.getEntry(archive + "data/" + key);
            if (entry == null) {
                throw new RefusedFileException(where + ": " + name + "'s storage " + archive + "data/" + key + " is missing");
            }
            if (entry.getSize() != storageBytes) {
                throw new RefusedFileException(where + ": storage " + key + " holds " + entry.getSize() + " bytes, its reference claims "
                        + ref.storage().elements() + " " + ref.storage().type() + " elements (" + storageBytes + " bytes)");
            }
            bytes = read(zip, entry, storageBytes, where);
            storages.put(key, bytes);
        }
        long elements = Tensor.elements(ref.size());
        if (elements < 0 || elements > Integer.MAX_VALUE || ref.size().length != ref.stride().length || ref.offset() < 0) {
            throw new RefusedFileException(where + ": " + name + " has an impossible shape " + java.util.Arrays.toString(ref.size()));
        }
        long last = ref.offset(); // the furthest element the view reaches
        for (int d = 0; d < ref.size().length; d++) {
            if (ref.stride()[d] < 0) {
                throw new RefusedFileException(where + ": " + name + " has a negative stride");
            }
            last += ref.size()[d] == 0 ? 0 : (ref.size()[d] - 1) * ref.stride()[d];
        }
        if (elements > 0 && last >= ref.storage().elements()) {
            throw new RefusedFileException(where + ": " + name + " reaches element " + last + " of a storage of " + ref.storage().elements());
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float[] values = new float[(int) elements];
        long[] index = new long[ref.size().length];
        for (int i = 0; i < values.length; i++) {
            long at = ref.offset();
            for (int d = 0; d < index.length; d++) {
                at += index[d] * ref.stride()[d];
            }
            values[i] = type.read(buffer, (int) (at * type.size));
            for (int d = index.length - 1; d >= 0 && ++index[d] == ref.size()[d]; d--) {
                index[d] = 0;
            }
        }
        return new Tensor(ref.size(), values);
    }

    private static byte[] read(ZipFile zip, ZipEntry entry, long limit, String where) throws IOException {
        if (entry == null) {
            throw new RefusedFileException(where + ": an entry the checkpoint needs is missing");
        }
        if (entry.getSize() > limit) {
            throw new RefusedFileException(where + ": " + entry.getName() + " is " + entry.getSize() + " bytes, more than the " + limit + " read");
        }
        try (InputStream in = zip.getInputStream(entry)) {
            byte[] bytes = in.readNBytes((int) Math.min(limit, Integer.MAX_VALUE - 8));
            if (entry.getSize() >= 0 && bytes.length != entry.getSize()) {
                throw new RefusedFileException(where + ": " + entry.getName() + " holds " + bytes.length + " bytes, its entry claims " + entry.getSize());
            }
            return bytes;
        }
    }

    private static Map<?, ?> map(Object value, String what, String where) {
        if (value instanceof Map<?, ?> m) {
            return m;
        }
        throw new RefusedFileException(where + ": " + what + " is " + (value == null ? "missing" : "not a dict")
                + "; is this a nanoGPT checkpoint (train.py's ckpt.pt)?");
    }

    /** The storages weights may be kept in, each read as float32. */
    private enum StorageType {
        FloatStorage(4), HalfStorage(2), BFloat16Storage(2), DoubleStorage(8);

        final int size;

        StorageType(int size) {
            this.size = size;
        }

        static Optional<StorageType> of(String name) {
            for (StorageType t : values()) {
                if (t.name().equals(name)) {
                    return Optional.of(t);
                }
            }
            return Optional.empty();
        }

        float read(ByteBuffer buffer, int byteIndex) {
            return switch (this) {
                case FloatStorage -> buffer.getFloat(byteIndex);
                case DoubleStorage -> (float) buffer.getDouble(byteIndex);
                case HalfStorage -> SafetensorsReader.Dtype.halfToFloat(buffer.getShort(byteIndex));
                case BFloat16Storage -> Float.intBitsToFloat((buffer.getShort(byteIndex) & 0xffff) << 16);
            };
        }
    }
}
