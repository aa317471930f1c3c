package dev.folio.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Native;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The spin count reaches the C environment libgomp reads, unless the operator set one. */
@EnabledOnOs(OS.LINUX)
class OpenMpSpinTest {

    interface TestEnvironment extends OpenMpSpin.CEnvironment {
        String getenv(String name);

        int unsetenv(String name);
    }

    private final TestEnvironment c = Native.load("c", TestEnvironment.class);

    @Test
    void setsTheSpinCountWhenUnsetAndKeepsAnOperatorsValue() {
        assumeTrue(System.getenv(OpenMpSpin.VARIABLE) == null, "started with the variable set: apply() leaves it to the operator");
        String original = c.getenv(OpenMpSpin.VARIABLE);
        try {
            c.unsetenv(OpenMpSpin.VARIABLE);
            OpenMpSpin.apply();
            assertThat(c.getenv(OpenMpSpin.VARIABLE)).isEqualTo(OpenMpSpin.SPINS);

            c.setenv(OpenMpSpin.VARIABLE, "123", 1);
            OpenMpSpin.apply();
            assertThat(c.getenv(OpenMpSpin.VARIABLE)).isEqualTo("123");
        } finally {
            if (original != null) {
                c.setenv(OpenMpSpin.VARIABLE, original, 1);
            }
        }
    }
}
