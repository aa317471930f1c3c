package dev.folio.store;

import dev.folio.engine.NativeHeap;
import dev.folio.model.ServingPath;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live model of one store entry. Requests {@link #acquire()} a lease and close it when done; a
 * model swapped out is freed when its last lease closes, so in-flight requests finish on the version
 * they started with.
 */
public final class ModelRegistry implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ModelRegistry.class);

    private final ModelStore store;
    private final String modelName;
    private final AtomicReference<Entry> current = new AtomicReference<>();
    private final Set<String> refused = ConcurrentHashMap.newKeySet();
    private volatile Consumer<ReloadOutcome> onReload = outcome -> {};

    public ModelRegistry(ModelStore store, String modelName) {
        this.store = store;
        this.modelName = VersionId.requireModelName(modelName);
    }

    public String modelName() {
        return modelName;
    }

    /**
     * Loads the version the store's pointer names, or, if that one is missing or fails its checks,
     * the newest version that passes them (loudly). Then warms it with one forward pass and serves it.
     */
    public LoadedModel loadInitial() throws IOException {
        List<String> candidates = new ArrayList<>();
        Optional<String> pointer = store.currentVersion(modelName);
        pointer.ifPresent(candidates::add);
        List<String> newestFirst = new ArrayList<>(store.versions(modelName));
        Collections.reverse(newestFirst);
        newestFirst.stream().filter(v -> !candidates.contains(v)).forEach(candidates::add);
        for (String version : candidates) {
            try {
                LoadedModel loaded = load(version);
                if (pointer.isPresent() && !pointer.get().equals(version)) {
                    log.error("current version {} of {} could not be served; serving newest valid version {} instead", pointer.get(), modelName, version);
                }
                swap(loaded);
                log.info("serving {}/{} ({} parameters)", modelName, version, loaded.metadata().parameterCount());
                return loaded;
            } catch (InvalidVersionException | VersionNotFoundException e) {
                refused.add(version);
                log.error("refusing to serve {}/{}: {}", modelName, version, e.getMessage());
            }
        }
        throw new InvalidVersionException("no servable version of " + modelName + " in " + store.root());
    }

    /** What a reload did: loaded (and now serving) or refused, with why. */
    public record ReloadOutcome(String version, boolean loaded, String reason) {}

    /** Called after every reload attempt (for metrics). */
    public void onReload(Consumer<ReloadOutcome> listener) {
        this.onReload = listener;
    }

    /** Versions that failed their checks or did not load; never retried until the pointer names them anew. */
    public Set<String> refusedVersions() {
        return Set.copyOf(refused);
    }

    /**
     * Hot reload: if the store's pointer names a version other than the one served (written by this
     * process, another process, or another pod), verify it, load it, warm it and swap it in. A version
     * that fails is remembered and not tried again, and the current one keeps serving.
     *
     * @return the version now served, if it changed
     */
    public synchronized Optional<String> reloadIfChanged() throws IOException {
        Optional<String> pointer = store.currentVersion(modelName);
        String served = currentMetadata().map(ModelMetadata::version).orElse(null);
        if (pointer.isEmpty() || pointer.get().equals(served) || refused.contains(pointer.get())) {
            return Optional.empty();
        }
        String version = pointer.get();
        try {
            LoadedModel loaded = load(version);
            swap(loaded);
            NativeHeap.trim(); // what the load-time check freed (a float64 copy of the weights) leaves the process
            log.info("hot reload: now serving {}/{} (was {})", modelName, version, served);
            onReload.accept(new ReloadOutcome(version, true, null));
            return Optional.of(version);
        } catch (InvalidVersionException | VersionNotFoundException e) {
            refused.add(version);
            log.error("hot reload: refusing {}/{}, still serving {}: {}", modelName, version, served, e.getMessage());
            onReload.accept(new ReloadOutcome(version, false, e.getMessage()));
            return Optional.empty();
        }
    }

    /** Serves {@code next} from now on; the previous model closes when its last lease does. */
    public void swap(LoadedModel next) {
        Entry previous = current.getAndSet(new Entry(next));
        if (previous != null) {
            previous.release();
        }
    }

    /** A lease on the current model; close it when the request is done. */
    public Lease acquire() {
        while (true) {
            Entry entry = current.get();
            if (entry == null) {
                throw new IllegalStateException("no model loaded yet");
            }
            if (entry.tryRetain()) {
                return new Lease(entry);
            }
            // lost a race with a swap: the entry retired between get() and retain; take the new one
        }
    }

    /** The current model's metadata, without taking a lease. */
    public Optional<ModelMetadata> currentMetadata() {
        Entry entry = current.get();
        return entry == null ? Optional.empty() : Optional.of(entry.model.metadata());
    }

    /** Which weight products the current model's passes run, and why, without taking a lease. */
    public Optional<ServingPath> currentServingPath() {
        Entry entry = current.get();
        return entry == null ? Optional.empty() : Optional.of(entry.model.inference().servingPath());
    }

    @Override
    public void close() {
        Entry entry = current.getAndSet(null);
        if (entry != null) {
            entry.release();
        }
    }

    /**
     * Verifies and loads a version. Loading runs every serving pass on a probe (the load-time check, on a thread of its
     * own), which warms libtorch's and oneDNN's caches for them; nothing runs on the calling thread, so it keeps no
     * OpenMP worker (see ModelRegistryThreadsTest).
     */
    private LoadedModel load(String version) throws IOException {
        return store.load(modelName, version);
    }

    /** A model with a reference count: one for being current, one per open lease. */
    private static final class Entry {
        private final LoadedModel model;
        private final AtomicInteger references = new AtomicInteger(1);

        Entry(LoadedModel model) {
            this.model = model;
        }

        boolean tryRetain() {
            while (true) {
                int count = references.get();
                if (count == 0) {
                    return false;
                }
                if (references.compareAndSet(count, count + 1)) {
                    return true;
                }
            }
        }

        void release() {
            if (references.decrementAndGet() == 0) {
                log.info("releasing {}/{}", model.metadata().modelName(), model.version());
                model.close();
            }
        }
    }

    /** Use of the current model by one request. */
    public static final class Lease implements AutoCloseable {
        private final Entry entry;
        private boolean closed;

        private Lease(Entry entry) {
            this.entry = entry;
        }

        public LoadedModel model() {
            return entry.model;
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                entry.release();
            }
        }
    }
}
