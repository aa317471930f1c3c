package dev.folio.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** Freed heap blocks stay resident until trimmed; trimming gives their pages back. */
@EnabledOnOs(OS.LINUX)
class NativeHeapTest {

    interface CMemory extends Library {
        Pointer malloc(long size);

        void free(Pointer block);
    }

    private static final int BLOCKS = 400;
    private static final long BLOCK_BYTES = 100 * 1024; // below glibc's smallest mmap threshold: from the heap

    @Test
    void trimmingReturnsTheFreedMiddleOfTheHeapToTheSystem() throws IOException {
        CMemory c = Native.load("c", CMemory.class);
        Pointer[] blocks = new Pointer[BLOCKS];
        for (int i = 0; i < BLOCKS; i++) {
            blocks[i] = c.malloc(BLOCK_BYTES);
            blocks[i].setMemory(0, BLOCK_BYTES, (byte) 1); // touched, so resident
        }
        for (int i = 0; i < BLOCKS - 1; i++) {
            c.free(blocks[i]); // the last stays: the freed 39 MB are below it, where free() alone never returns them
        }
        long before = residentKb();
        assertThat(NativeHeap.trim()).isTrue();
        long after = residentKb();
        c.free(blocks[BLOCKS - 1]);
        assertThat(before - after).as("resident KB given back (before %d, after %d)", before, after).isGreaterThan(BLOCKS * BLOCK_BYTES / 1024 / 2);
    }

    private static long residentKb() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                .map(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElseThrow();
    }
}
