package dev.folio.inspect;

import ai.djl.ndarray.NDArray;

/**
 * What {@link HookedGpt} calls at each named intermediate (TransformerLens's hook points): a hook sees the activation
 * and returns what the forward pass continues with: the same array to read it, another to change it.
 */
public interface Hooks {

    /** Reads nothing, changes nothing. */
    Hooks NONE = new Hooks() {
        @Override
        public NDArray at(String name, NDArray value) {
            return value;
        }

        @Override
        public boolean wants(String name) {
            return false;
        }
    };

    NDArray at(String name, NDArray value);

    /** Whether {@link #at} wants this name at all: intermediates nothing else needs (per-head results) are made only then. */
    boolean wants(String name);

    /** This hook, then {@code next} on what this one returned. */
    default Hooks then(Hooks next) {
        Hooks first = this;
        return new Hooks() {
            @Override
            public NDArray at(String name, NDArray value) {
                return next.at(name, first.at(name, value));
            }

            @Override
            public boolean wants(String name) {
                return first.wants(name) || next.wants(name);
            }
        };
    }
}
