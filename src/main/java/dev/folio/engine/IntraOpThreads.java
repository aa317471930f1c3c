package dev.folio.engine;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * libtorch's intra-op thread count for the calling thread (an OpenMP setting, per thread). Decoding one
 * token is many small ops: on this project's 2-core machine one thread per generation is ~30% faster
 * than two (docs/performance.md, "The thread rule: one libtorch thread below 12 rows"), and it leaves the other core to the next request.
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
