package dev.folio.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Folio's few TorchScript programs: a class's source kept as a resource next to the Java class that calls
 * it, compiled by libtorch when loaded and run by its interpreter in one JNI call, where the same work as DJL
 * ops would cost a crossing, a Java wrapper and its bookkeeping per op.
 */
public final class TorchScript {

    /** The interpreter runs a graph as written; the profiling executor would respecialise it for every new shape. */
    private static final ThreadLocal<Boolean> PLAIN_INTERPRETER = ThreadLocal.withInitial(() -> false);

    private TorchScript() {}

    /**
     * @param owner the class whose package holds {@code resource}
     * @param className the class the source declares (as {@code __torch__.<className>})
     */
    public static PtSymbolBlock load(NDManager manager, Class<?> owner, String resource, String className) {
        byte[] archive = TorchScriptArchive.of(className, source(owner, resource));
        try {
            return JniUtils.loadModule((PtNDManager) manager, new ByteArrayInputStream(archive), false, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Arrays as one TorchScript list argument: the same tensors, not copies. */
    public static IValue list(List<NDArray> arrays) {
        return IValue.listFrom(arrays.stream().map(PtNDArray.class::cast).toArray(PtNDArray[]::new));
    }

    /** Call before running a program on the current thread (the executor setting is thread-local in libtorch). */
    public static void usePlainInterpreter() {
        if (!PLAIN_INTERPRETER.get()) {
            JniUtils.setGraphExecutorOptimize(false);
            PLAIN_INTERPRETER.set(true);
        }
    }

    private static String source(Class<?> owner, String resource) {
        try (InputStream in = owner.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from " + owner.getPackageName());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
