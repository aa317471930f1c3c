package dev.folio.store;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import dev.folio.model.Gpt;
import dev.folio.model.ScriptedInference;
import dev.folio.tokenizer.CharTokenizer;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Versions of models on disk: {@code <root>/<model>/<version>/{model.json, <model>-0000.params, SHA256SUMS}}
 * and a {@code current} pointer per model. A version appears only complete (written to a temporary
 * directory, fsynced, renamed); the pointer is replaced atomically; nothing is loaded unless its
 * checksums hold.
 */
public final class ModelStore {

    private static final Logger log = LoggerFactory.getLogger(ModelStore.class);
    static final String METADATA_FILE = "model.json";
    static final String CURRENT_FILE = "current";
    static final String PREVIOUS_FILE = "previous";
    private static final String TEMP_PREFIX = ".tmp-";

    private final Path root;
    private final Clock clock;
    private final java.util.Set<String> reserved = java.util.concurrent.ConcurrentHashMap.newKeySet(); // ids being written
    private final JsonMapper json = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
    private final ChecksumVerdicts verdicts = new ChecksumVerdicts();

    /** A store on the system clock. */
    public ModelStore(Path root) {
        this(root, Clock.systemUTC());
    }

    /** @param clock dates versions and training runs (tests pass one they move, rather than wait for a new second) */
    public ModelStore(Path root, Clock clock) {
        this.root = root.toAbsolutePath().normalize();
        this.clock = clock;
    }

    public Path root() {
        return root;
    }

    /** What dates this store's versions and training runs. */
    public Clock clock() {
        return clock;
    }

    /**
     * Publishes trained weights as a new version and points {@code current} at it.
     *
     * @return the metadata as stored, with its version id and creation time
     */
    public ModelMetadata publish(Model model, ModelMetadata metadata) throws IOException {
        return publish(metadata, temp -> {
            model.setProperty("Epoch", "0");
            model.save(temp, metadata.modelName()); // <name>-0000.params
        });
    }

    /**
     * Publishes a copy of a version with its chat template replaced: the same weights under a new version id (versions never
     * change once written), made current. No retraining, and the old version stays for rollback.
     */
    public ModelMetadata publishWithChat(String modelName, String fromVersion, ModelMetadata.Chat chat) throws IOException {
        ModelMetadata from = metadata(modelName, fromVersion); // verified
        Path source = versionDir(modelName, fromVersion).resolve(from.paramsFile());
        return publish(from.withChat(chat), temp -> shareOrCopy(source, temp.resolve(from.paramsFile())));
    }

    /**
     * The same weights in a second version without a second copy on disk: a hard link (files in a version are never
     * written again, so sharing one is safe, and deleting one version leaves the other's intact); a copy where the
     * filesystem has no hard links or refuses one (another device, a limit on links).
     */
    private static void shareOrCopy(Path source, Path target) throws IOException {
        try {
            Files.createLink(target, source);
        } catch (UnsupportedOperationException | IOException e) {
            log.info("weights copied, not linked ({}): {}", e.getClass().getSimpleName(), e.getMessage());
            Files.deleteIfExists(target);
            Files.copy(source, target);
        }
    }

    /** Writes a version's files into a directory. */
    private interface VersionWriter {
        void write(Path dir) throws IOException;
    }

    /** Written to a temporary directory, checksummed, fsynced, renamed into place, then pointed at. */
    private ModelMetadata publish(ModelMetadata metadata, VersionWriter files) throws IOException {
        String name = VersionId.requireModelName(metadata.modelName());
        Path modelDir = Files.createDirectories(root.resolve(name));
        ModelMetadata stored;
        Path temp;
        synchronized (this) { // two publishes in one second: each takes its own free id
            List<String> existing = versions(name);
            Instant created = VersionId.next(clock, existing.isEmpty() ? Optional.empty() : Optional.of(existing.get(existing.size() - 1)));
            while (Files.exists(modelDir.resolve(VersionId.at(created))) || reserved.contains(name + "/" + VersionId.at(created))) {
                created = created.plusSeconds(1);
            }
            stored = metadata.withVersion(VersionId.at(created), created);
            reserved.add(name + "/" + stored.version());
        }
        String version = stored.version();
        try {
            temp = modelDir.resolve(TEMP_PREFIX + version + "-" + UUID.randomUUID());
            Files.createDirectories(temp);
            files.write(temp);
            Files.writeString(temp.resolve(METADATA_FILE), json.writeValueAsString(stored), StandardCharsets.UTF_8);
            Checksums.write(temp);
            try (Stream<Path> written = Files.list(temp)) {
                for (Path file : written.toList()) {
                    fsync(file);
                }
            }
            fsync(temp);
            Files.move(temp, modelDir.resolve(version), StandardCopyOption.ATOMIC_MOVE);
            fsync(modelDir);
            verdicts.trust(modelDir.resolve(version)); // its checksums were just computed from these very files
        } finally {
            reserved.remove(name + "/" + version);
        }
        setCurrent(name, version);
        log.info("published {}/{} (val loss {})", name, version, stored.training() == null ? "n/a" : stored.training().valLoss());
        return stored;
    }

    /**
     * Points {@code current} at a version, atomically (write a temp file, fsync, rename over); the version
     * it replaces becomes {@code previous}, the target of a rollback.
     */
    public synchronized void setCurrent(String modelName, String version) throws IOException {
        Path modelDir = root.resolve(VersionId.requireModelName(modelName));
        VersionId.require(version);
        if (!Files.isDirectory(modelDir.resolve(version))) {
            throw new VersionNotFoundException("no version " + version + " of " + modelName);
        }
        Optional<String> old = currentVersion(modelName);
        if (old.isPresent() && !old.get().equals(version)) {
            writePointer(modelDir, PREVIOUS_FILE, old.get());
        }
        writePointer(modelDir, CURRENT_FILE, version);
    }

    /** Points {@code current} back at {@code previous} (and {@code previous} at what was current). */
    public synchronized String rollback(String modelName) throws IOException {
        Path modelDir = root.resolve(VersionId.requireModelName(modelName));
        String previous = readPointer(modelDir.resolve(PREVIOUS_FILE))
                .orElseThrow(() -> new VersionNotFoundException("no previous version of " + modelName + " to roll back to"));
        if (!Files.isDirectory(modelDir.resolve(previous))) {
            throw new VersionNotFoundException("the previous version " + previous + " of " + modelName + " no longer exists");
        }
        setCurrent(modelName, previous);
        log.warn("rolled back {} to {}", modelName, previous);
        return previous;
    }

    /** Deletes a version that is not current: renamed aside first (so it vanishes at once), then removed. */
    public synchronized void delete(String modelName, String version) throws IOException {
        Path dir = versionDir(modelName, version);
        if (currentVersion(modelName).filter(version::equals).isPresent()) {
            throw new IllegalStateException("version " + version + " is current; promote another one before deleting it");
        }
        Path aside = dir.resolveSibling(TEMP_PREFIX + "deleted-" + version + "-" + UUID.randomUUID());
        Files.move(dir, aside, StandardCopyOption.ATOMIC_MOVE);
        verdicts.forget(dir);
        deleteRecursively(aside);
        log.info("deleted {}/{}", modelName, version);
    }

    /** Keeps the newest {@code keep} versions plus the current, the previous and the pinned ones; deletes the rest. */
    public synchronized List<String> retain(String modelName, int keep, List<String> pinned) throws IOException {
        List<String> newestFirst = new ArrayList<>(versions(modelName));
        Collections.reverse(newestFirst);
        Path modelDir = root.resolve(VersionId.requireModelName(modelName));
        Optional<String> current = currentVersion(modelName);
        Optional<String> previous = readPointer(modelDir.resolve(PREVIOUS_FILE));
        List<String> deleted = new ArrayList<>();
        for (int i = keep; i < newestFirst.size(); i++) {
            String version = newestFirst.get(i);
            if (!current.filter(version::equals).isPresent() && !previous.filter(version::equals).isPresent() && !pinned.contains(version)) {
                delete(modelName, version);
                deleted.add(version);
            }
        }
        return deleted;
    }

    /** Removes temporary directories and files a crashed publish or delete left behind. */
    public synchronized int cleanTemporaries(String modelName) throws IOException {
        Path modelDir = root.resolve(VersionId.requireModelName(modelName));
        if (!Files.isDirectory(modelDir)) {
            return 0;
        }
        List<Path> leftovers;
        try (Stream<Path> entries = Files.list(modelDir)) {
            leftovers = entries.filter(p -> p.getFileName().toString().startsWith(TEMP_PREFIX)).toList();
        }
        for (Path leftover : leftovers) {
            log.warn("removing {} left by an interrupted publish", leftover);
            deleteRecursively(leftover);
        }
        return leftovers.size();
    }

    /** One version as the models API lists it. */
    public record VersionInfo(String version, boolean valid, String problem, ModelMetadata metadata, long sizeBytes) {}

    /** Every version, newest first, each checked (checksums included). */
    public List<VersionInfo> describe(String modelName) throws IOException {
        List<String> newestFirst = new ArrayList<>(versions(modelName));
        Collections.reverse(newestFirst);
        List<VersionInfo> infos = new ArrayList<>();
        for (String version : newestFirst) {
            Path dir = root.resolve(modelName).resolve(version);
            long size;
            try (Stream<Path> files = Files.list(dir)) {
                size = files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
            }
            try {
                infos.add(new VersionInfo(version, true, null, metadata(modelName, version), size));
            } catch (InvalidVersionException e) {
                infos.add(new VersionInfo(version, false, e.getMessage(), null, size));
            }
        }
        return infos;
    }

    /** The version {@code previous} names, if any. */
    public Optional<String> previousVersion(String modelName) throws IOException {
        return readPointer(root.resolve(VersionId.requireModelName(modelName)).resolve(PREVIOUS_FILE));
    }

    private static void writePointer(Path modelDir, String name, String version) throws IOException {
        Path temp = modelDir.resolve(TEMP_PREFIX + name + "-" + UUID.randomUUID());
        Files.writeString(temp, version + "\n", StandardCharsets.UTF_8);
        fsync(temp);
        try {
            Files.move(temp, modelDir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        fsync(modelDir);
    }

    private static Optional<String> readPointer(Path pointer) throws IOException {
        if (!Files.isRegularFile(pointer)) {
            return Optional.empty();
        }
        String version = Files.readString(pointer, StandardCharsets.UTF_8).trim();
        if (!VersionId.isValid(version)) {
            log.warn("{}: pointer holds an invalid version id '{}'; ignoring it", pointer, version);
            return Optional.empty();
        }
        return Optional.of(version);
    }

    /** The models in the store: directories with a valid model name holding at least one version, in name order. */
    public List<String> modelNames() throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        try (Stream<Path> entries = Files.list(root)) {
            for (Path dir : entries.filter(Files::isDirectory).sorted().toList()) {
                String name = dir.getFileName().toString();
                if (VersionId.isValidModelName(name) && !versions(name).isEmpty()) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    /** Deletes a file or a directory tree; nothing if it is not there. Symbolic links are removed, not followed. */
    public static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The version the pointer names, if there is a valid-looking pointer. */
    public Optional<String> currentVersion(String modelName) throws IOException {
        return readPointer(root.resolve(VersionId.requireModelName(modelName)).resolve(CURRENT_FILE));
    }

    /** Version ids of a model, oldest first; temporary directories and stray names are not versions. */
    public List<String> versions(String modelName) throws IOException {
        Path modelDir = root.resolve(VersionId.requireModelName(modelName));
        if (!Files.isDirectory(modelDir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(modelDir)) {
            return entries.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .filter(VersionId::isValid)
                    .sorted(Comparator.naturalOrder())
                    .toList();
        }
    }

    /**
     * Reads a version's metadata after checking its checksums: the verdict found when it was published or last hashed,
     * while none of its files has changed since (size, modification time, inode); hashed again otherwise.
     */
    public ModelMetadata metadata(String modelName, String version) throws IOException {
        Path dir = versionDir(modelName, version);
        verdicts.verify(dir);
        return readMetadata(dir);
    }

    /** Versions whose checksums were computed since this store opened (loads, and reads of changed versions). */
    public long versionsHashed() {
        return verdicts.hashed();
    }

    /** Verifies (hashing every file, whatever is known) and loads a version into memory; the caller closes it. */
    public LoadedModel load(String modelName, String version) throws IOException {
        Path dir = versionDir(modelName, version);
        verdicts.verifyNow(dir);
        ModelMetadata metadata = readMetadata(dir);
        if (!metadata.version().equals(version) || !metadata.modelName().equals(modelName)) {
            throw new InvalidVersionException(inStore(dir) + ": model.json names " + metadata.modelName() + "/" + metadata.version());
        }
        CharTokenizer tokenizer = CharTokenizer.fromVocabulary(metadata.vocabulary());
        if (tokenizer.vocabSize() != metadata.architecture().vocabSize()) {
            throw new InvalidVersionException(inStore(dir) + ": vocabulary has " + tokenizer.vocabSize() + " characters, architecture says " + metadata.architecture().vocabSize());
        }
        Model model = Model.newInstance(modelName);
        try {
            Gpt gpt = new Gpt(metadata.architecture().withDropout(0f));
            model.setBlock(gpt);
            model.load(dir, modelName);
            return new LoadedModel(model, gpt, ScriptedInference.compile(gpt, model.getNDManager()), tokenizer, metadata);
        } catch (MalformedModelException | IOException | RuntimeException e) {
            model.close();
            throw new InvalidVersionException(inStore(dir) + ": weights do not load: " + withoutRoot(e.getMessage()), e);
        }
    }

    /** Loads the version {@code current} names. */
    public LoadedModel loadCurrent(String modelName) throws IOException {
        String version = currentVersion(modelName)
                .orElseThrow(() -> new InvalidVersionException("the model store has no current version of " + modelName));
        return load(modelName, version);
    }

    private Path versionDir(String modelName, String version) {
        Path dir = root.resolve(VersionId.requireModelName(modelName)).resolve(VersionId.require(version));
        if (!Files.isDirectory(dir)) {
            throw new VersionNotFoundException("no version " + version + " of " + modelName);
        }
        return dir;
    }

    /** A directory as errors name it: relative to the store's root, since they reach API responses (never an absolute path). */
    private String inStore(Path dir) {
        return root.relativize(dir.toAbsolutePath().normalize()).toString();
    }

    /** A library's message (DJL names the files it could not read) with the store's root taken out of any path in it. */
    private String withoutRoot(String message) {
        return String.valueOf(message).replace(root + java.io.File.separator, "");
    }

    private ModelMetadata readMetadata(Path dir) throws IOException {
        try {
            return json.readValue(Files.readString(dir.resolve(METADATA_FILE), StandardCharsets.UTF_8), ModelMetadata.class);
        } catch (tools.jackson.core.JacksonException e) {
            throw new InvalidVersionException(inStore(dir) + ": unreadable " + METADATA_FILE + ": " + e.getOriginalMessage(), e);
        }
    }

    private static void fsync(Path path) throws IOException {
        boolean directory = Files.isDirectory(path);
        try (FileChannel channel = FileChannel.open(path, directory ? StandardOpenOption.READ : StandardOpenOption.WRITE)) {
            channel.force(true);
        } catch (java.nio.file.AccessDeniedException e) {
            if (directory) {
                return;
            }
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) { // a linked, read-only weights file
                channel.force(true);
            }
        } catch (IOException e) {
            if (!directory) {
                throw e;
            }
            // some filesystems refuse to open directories for fsync; the rename is still atomic there
        }
    }
}
