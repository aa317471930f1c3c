package dev.folio.store;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every model the service serves, each with its own live version, checks, hot reload and rollback (one
 * {@link ModelRegistry} per model), and the default model for requests that name none. Serving the whole store,
 * it also takes in models that appear in it later ({@link #discover}: a training run's new model name).
 */
public final class ModelRegistries implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ModelRegistries.class);

    /** Replaced whole when a model joins (copy on write), so readers never lock. */
    private volatile Map<String, ModelRegistry> byName;
    private final String defaultName;
    /** The store, when every model in it is served; null for a fixed list. */
    private final ModelStore wholeStore;
    /** New models that could not be served, with the versions they had then: tried again once those change. */
    private final Map<String, List<String>> refusedNewcomers = new LinkedHashMap<>();
    private final List<Consumer<ModelRegistry>> joinListeners = new CopyOnWriteArrayList<>();

    private ModelRegistries(Map<String, ModelRegistry> byName, String defaultName, ModelStore wholeStore) {
        this.byName = byName;
        this.defaultName = defaultName;
        this.wholeStore = wholeStore;
    }

    /**
     * Loads the models to serve: {@code models}, or every model in the store when it is empty. A model with no servable
     * version is left out, loudly; none at all is an error, as with one model.
     *
     * @param defaultModel what requests that name no model get; if it is not served, the first served model is (loudly)
     */
    public static ModelRegistries load(ModelStore store, String defaultModel, List<String> models) throws IOException {
        List<String> names = new ArrayList<>(models.isEmpty() ? store.modelNames() : models);
        if (names.isEmpty()) {
            names.add(defaultModel); // an empty store: fail as one model always did, naming it
        }
        Map<String, ModelRegistry> loaded = new LinkedHashMap<>();
        InvalidVersionException lastFailure = null;
        for (String name : names) {
            ModelRegistry registry = new ModelRegistry(store, name);
            try {
                registry.loadInitial();
                loaded.put(name, registry);
            } catch (InvalidVersionException | VersionNotFoundException e) {
                lastFailure = e instanceof InvalidVersionException invalid ? invalid : new InvalidVersionException(e.getMessage());
                log.error("not serving {}: {}", name, e.getMessage());
            }
        }
        if (loaded.isEmpty()) {
            throw lastFailure != null ? lastFailure : new InvalidVersionException("no servable model in " + store.root());
        }
        String chosen = defaultModel;
        if (!loaded.containsKey(chosen)) {
            chosen = loaded.keySet().iterator().next();
            log.warn("default model {} is not served; {} is the default", defaultModel, chosen);
        }
        log.info("serving {} model(s): {}; default {}", loaded.size(), String.join(", ", loaded.keySet()), chosen);
        return new ModelRegistries(loaded, chosen, models.isEmpty() ? store : null);
    }

    /**
     * Serving the whole store: loads the models that have appeared in it since (each on its own; one with no servable
     * version is tried again when its versions change). A fixed list of models never grows.
     *
     * @return the models that joined
     */
    public synchronized List<ModelRegistry> discover() throws IOException {
        if (wholeStore == null) {
            return List.of();
        }
        List<ModelRegistry> joined = new ArrayList<>();
        for (String name : wholeStore.modelNames()) {
            List<String> versions = wholeStore.versions(name);
            if (byName.containsKey(name) || versions.equals(refusedNewcomers.get(name))) {
                continue;
            }
            ModelRegistry registry = new ModelRegistry(wholeStore, name);
            try {
                registry.loadInitial();
            } catch (InvalidVersionException | VersionNotFoundException e) {
                refusedNewcomers.put(name, versions);
                log.error("not serving new model {}: {}", name, e.getMessage());
                continue;
            }
            refusedNewcomers.remove(name);
            Map<String, ModelRegistry> next = new LinkedHashMap<>(byName);
            next.put(name, registry);
            byName = next;
            log.info("serving new model {}; now {} model(s)", name, next.size());
            joined.add(registry);
            joinListeners.forEach(listener -> listener.accept(registry));
        }
        return joined;
    }

    /** Called with each model that {@link #discover} adds, once it serves. */
    public void onJoin(Consumer<ModelRegistry> listener) {
        joinListeners.add(listener);
    }

    /** A set of registries already loaded (tests). */
    public static ModelRegistries of(List<ModelRegistry> registries, String defaultName) {
        Map<String, ModelRegistry> byName = new LinkedHashMap<>();
        registries.forEach(r -> byName.put(r.modelName(), r));
        return new ModelRegistries(byName, defaultName, null);
    }

    public String defaultName() {
        return defaultName;
    }

    public ModelRegistry defaultRegistry() {
        return byName.get(defaultName);
    }

    public Optional<ModelRegistry> get(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The served models' names, in the order they were loaded (name order when all the store's are served, then any that joined). */
    public List<String> names() {
        return List.copyOf(byName.keySet());
    }

    public Collection<ModelRegistry> all() {
        return byName.values();
    }

    @Override
    public void close() {
        byName.values().forEach(ModelRegistry::close);
    }
}
