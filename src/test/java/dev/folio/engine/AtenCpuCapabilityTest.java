package dev.folio.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** AVX-512 kernels are asked for only on a CPU that reports every feature they need. */
class AtenCpuCapabilityTest {

    private static final List<String> AVX512_CPU = List.of("fpu", "sse2", "avx2", "fma", "avx512f", "avx512dq", "avx512bw", "avx512vl", "avx512_bf16");

    @Test
    void wantsEveryAvx512FeatureAtenChecks() {
        assertThat(AtenCpuCapability.hasAvx512(AVX512_CPU)).isTrue();
        for (String feature : AtenCpuCapability.AVX512_FEATURES) {
            List<String> missingOne = new ArrayList<>(AVX512_CPU);
            missingOne.remove(feature);
            assertThat(AtenCpuCapability.hasAvx512(missingOne)).as("without %s", feature).isFalse();
        }
        assertThat(AtenCpuCapability.hasAvx512(List.of("fpu", "sse2", "avx2", "fma"))).isFalse();
        assertThat(AtenCpuCapability.hasAvx512(List.of())).as("no /proc/cpuinfo").isFalse();
    }

    @Test
    void readsThisMachinesFlags() {
        List<String> flags = AtenCpuCapability.cpuFlags();
        String arch = System.getProperty("os.arch", "");
        if (System.getProperty("os.name", "").startsWith("Linux") && (arch.equals("amd64") || arch.equals("x86_64"))) {
            assertThat(flags).as("an x86 Linux /proc/cpuinfo lists its features").contains("sse2");
        }
        assertThat(flags).doesNotContain("", "flags", ":");
    }
}
