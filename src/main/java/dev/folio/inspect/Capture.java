package dev.folio.inspect;

import ai.djl.ndarray.NDArray;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** A hook that keeps the activations of the names asked for (TransformerLens's run_with_cache), changing nothing. */
public final class Capture implements Hooks {

    private final Set<String> names;
    private final Map<String, NDArray> captured = new LinkedHashMap<>();

    public Capture(Collection<String> names) {
        this.names = Set.copyOf(names);
    }

    @Override
    public NDArray at(String name, NDArray value) {
        if (names.contains(name)) {
            captured.put(name, value);
        }
        return value;
    }

    @Override
    public boolean wants(String name) {
        return names.contains(name);
    }

    /** What was captured, in the order the pass made it; the arrays live in the pass's manager. */
    public Map<String, NDArray> captured() {
        return captured;
    }

    public NDArray get(String name) {
        NDArray value = captured.get(name);
        if (value == null) {
            throw new IllegalStateException(name + " was not captured");
        }
        return value;
    }
}
