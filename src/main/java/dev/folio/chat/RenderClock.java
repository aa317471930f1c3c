package dev.folio.chat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * The clock a render's time limit reads: the rendering thread's processor time where the JVM measures it, else the
 * wall clock. Processor time is what a template can take from the machine; wall time would also count the waits of a
 * loaded machine, and refuse an ordinary template whenever the cores are busy.
 */
final class RenderClock {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final boolean CPU_TIME = THREADS.isCurrentThreadCpuTimeSupported() && THREADS.isThreadCpuTimeEnabled();

    private RenderClock() {}

    /** Nanoseconds from an arbitrary origin, fixed for the calling thread. */
    static long now() {
        return CPU_TIME ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
    }
}
