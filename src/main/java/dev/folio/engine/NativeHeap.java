package dev.folio.engine;

import com.sun.jna.Library;
import com.sun.jna.Native;
import org.slf4j.LoggerFactory;

/**
 * Gives the C heap's free pages back to the system (glibc's {@code malloc_trim}). libtorch allocates a tensor's memory
 * with malloc and keeps no cache of its own, but glibc does: once a freed block has raised its mmap threshold, blocks of
 * up to 32 MB come from the heap, and their pages stay with the process after they are freed. Loading a model leaves
 * hundreds of MB that way (the load-time check's float64 copy, the warm-up's cache), so it is trimmed once a version is
 * loaded and warmed. Measured in docs/performance.md, "Cost as the model grows".
 */
public final class NativeHeap {

    private NativeHeap() {}

    interface CHeap extends Library {
        int malloc_trim(long pad);
    }

    /** Loaded on the first trim; a failure to load is thrown again (as NoClassDefFoundError, a LinkageError) on every later one. */
    private static final class Loaded {
        static final CHeap C = Native.load("c", CHeap.class);
    }

    /** Returns the free pages; false where there is no glibc to ask (macOS, musl) or JNA cannot load. */
    public static boolean trim() {
        if (!System.getProperty("os.name", "").startsWith("Linux")) {
            return false;
        }
        try {
            Loaded.C.malloc_trim(0);
            return true;
        } catch (LinkageError e) { // musl has no malloc_trim, or JNA's native part would not load: memory, not correctness
            LoggerFactory.getLogger(NativeHeap.class).debug("malloc_trim unavailable: {}", e.getMessage());
            return false;
        }
    }
}
