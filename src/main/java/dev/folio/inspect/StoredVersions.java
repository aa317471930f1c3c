package dev.folio.inspect;

import dev.folio.store.LoadedModel;
import dev.folio.store.ModelStore;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Versions in the store other than the served one, loaded on demand for inspection ("across versions") and kept, the
 * most recently used {@code capacity} of them. A version is freed once it is evicted and nobody holds it any more.
 */
public final class StoredVersions implements AutoCloseable {

    private final ModelStore store;
    private final int capacity;
    private final Map<String, Entry> loaded = new LinkedHashMap<>(16, 0.75f, true);

    public StoredVersions(ModelStore store, int capacity) {
        this.store = store;
        this.capacity = Math.max(0, capacity);
    }

    /** A loaded version, held until closed. */
    public interface Held extends AutoCloseable {
        LoadedModel model();

        @Override
        void close();
    }

    /**
     * Loads (verifying its checksums) or reuses {@code version} of {@code modelName}.
     *
     * @throws dev.folio.store.VersionNotFoundException when the store has no such version
     */
    public synchronized Held hold(String modelName, String version) throws IOException {
        String key = modelName + ":" + version;
        Entry entry = loaded.get(key);
        if (entry == null) {
            entry = new Entry(store.load(modelName, version));
            loaded.put(key, entry);
        }
        entry.users++; // before any eviction: a version just loaded is never freed under its first holder
        evictBeyondCapacity();
        Entry held = entry;
        return new Held() {
            private boolean closed;

            @Override
            public LoadedModel model() {
                return held.model;
            }

            @Override
            public void close() {
                synchronized (StoredVersions.this) {
                    if (!closed) {
                        closed = true;
                        held.users--;
                        held.freeIfUnused();
                    }
                }
            }
        };
    }

    private void evictBeyondCapacity() {
        Iterator<Entry> oldestFirst = loaded.values().iterator();
        while (loaded.size() > capacity && oldestFirst.hasNext()) {
            Entry entry = oldestFirst.next();
            oldestFirst.remove();
            entry.evicted = true;
            entry.freeIfUnused();
        }
    }

    @Override
    public synchronized void close() {
        loaded.values().forEach(entry -> {
            entry.evicted = true;
            entry.freeIfUnused();
        });
        loaded.clear();
    }

    private static final class Entry {
        private final LoadedModel model;
        private int users;
        private boolean evicted;

        Entry(LoadedModel model) {
            this.model = model;
        }

        void freeIfUnused() {
            if (evicted && users == 0) {
                model.close();
            }
        }
    }
}
