package dev.folio.engine;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Turns libtorch's autograd recording off for the current thread until closed. Grad mode is
 * thread-local in libtorch and on by default in every thread but the one that loaded the engine,
 * so each inference or evaluation pass must turn it off itself or it builds a useless graph.
 */
public final class GradMode implements AutoCloseable {

    private final boolean previous;

    private GradMode() {
        previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
    }

    public static GradMode disabled() {
        return new GradMode();
    }

    @Override
    public void close() {
        JniUtils.setGradMode(previous);
    }
}
