package dev.folio.engine;

import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.slf4j.LoggerFactory;

/**
 * Which vectorised kernels libtorch's elementwise ops use. libtorch 2.7.1 runs its AVX2 kernels on this project's
 * AVX-512 machine (PyTorch 2.13 there picks AVX-512): GELU's backward took 41–44 ms of a default-config training step
 * against 28–29 ms with {@code ATEN_CPU_CAPABILITY=avx512} (docs/performance.md, "The AVX-512 capability"). libtorch reads the
 * variable once, when it loads, and trusts it (a CPU without AVX-512 would fault), so it is set only when the CPU
 * reports every feature ATen's AVX-512 kernels need, and never over a value the process started with.
 */
public final class AtenCpuCapability {

    static final String VARIABLE = "ATEN_CPU_CAPABILITY";
    /** What ATen checks before it would pick its AVX-512 kernels itself. */
    static final Set<String> AVX512_FEATURES = Set.of("avx512f", "avx512bw", "avx512vl", "avx512dq", "fma");

    private AtenCpuCapability() {}

    public static void apply() {
        if (System.getenv(VARIABLE) != null || !System.getProperty("os.name", "").startsWith("Linux") || !hasAvx512(cpuFlags())) {
            return;
        }
        try {
            Native.load("c", OpenMpSpin.CEnvironment.class).setenv(VARIABLE, "avx512", 0);
        } catch (LinkageError e) { // as OpenMpSpin: a tuning, never a reason to stop
            LoggerFactory.getLogger(AtenCpuCapability.class).warn("could not set {}=avx512 ({}); libtorch keeps its choice", VARIABLE, e.getMessage());
        }
    }

    static boolean hasAvx512(List<String> flags) {
        return flags.containsAll(AVX512_FEATURES);
    }

    /** The first processor's feature flags from /proc/cpuinfo; empty if it cannot be read. */
    static List<String> cpuFlags() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(line -> line.startsWith("flags"))
                    .findFirst()
                    .map(line -> Arrays.asList(line.substring(line.indexOf(':') + 1).trim().split("\\s+")))
                    .orElse(List.of());
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
