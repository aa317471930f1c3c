package dev.folio.engine;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * libtorch's intra-op thread count for the calling thread (an OpenMP setting, per thread). How many a decoding step
 * should use depends on the CPU and the model (dev.folio.model.StepThreads measures it at load).
 */
public final class IntraOpThreads {

    static {
        Engine.getEngine("PyTorch"); // loads libtorch, which JniUtils calls into, if nothing has yet
    }

    private IntraOpThreads() {}

    /** Sets the calling thread's intra-op threads if it differs; 0 or less leaves it alone. */
    public static void set(int threads) {
        if (threads > 0 && JniUtils.getNumThreads() != threads) {
            JniUtils.setNumThreads(threads);
        }
    }
}
