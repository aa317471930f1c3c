package dev.folio.engine;

import com.sun.jna.Library;
import com.sun.jna.Native;
import org.slf4j.LoggerFactory;

/**
 * How long an idle libtorch (libgomp) worker spins before it sleeps. libgomp reads {@code GOMP_SPINCOUNT}
 * once, when libtorch loads, so it goes into the process environment before anything loads libtorch (a value
 * the process started with wins; the container image sets it that way). libgomp's default, 300,000 spins
 * (a few milliseconds), kept one of two cores busy after every prefill while the first token's event waited
 * for a core to be sent on; 2,000 (tens of microseconds) still carries a worker across the gaps between one
 * forward pass's parallel ops. Measured in docs/performance.md, "The OpenMP spin count".
 */
public final class OpenMpSpin {

    static final String VARIABLE = "GOMP_SPINCOUNT";
    static final String SPINS = "2000";

    private OpenMpSpin() {}

    /** The C library's environment: what libgomp reads, which {@link System#getenv} only copies at start. */
    interface CEnvironment extends Library {
        int setenv(String name, String value, int overwrite);
    }

    public static void apply() {
        if (System.getenv(VARIABLE) != null || !System.getProperty("os.name", "").startsWith("Linux")) {
            return;
        }
        try {
            Native.load("c", CEnvironment.class).setenv(VARIABLE, SPINS, 0); // 0: keep a value set in C since the JVM started
        } catch (LinkageError e) { // JNA's native part would not load (a noexec /tmp, say): a tuning, not a reason to stop
            LoggerFactory.getLogger(OpenMpSpin.class).warn("could not set {}={} ({}); libgomp keeps its default", VARIABLE, SPINS, e.getMessage());
        }
    }
}
