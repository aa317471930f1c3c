package dev.folio.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A start where JNA may not unpack into the temporary directory (as with a container's noexec {@code --tmpfs /tmp}; here
 * {@code -Djna.nounpack=true}) still sets libtorch's variables once {@code engine} has unpacked JNA's library beside it.
 */
class JnaDispatchLibraryTest {

    @TempDir
    Path root;

    private String engine(String... jvmOptions) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dai.djl.offline=true", "-DOPT_OUT_TRACKING=true", "-Djna.nounpack=true"));
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("dev.folio.FolioApplication", "engine"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(root.resolve("engine.log").toFile());
        builder.environment().put("OPT_OUT_TRACKING", "true");
        builder.environment().remove(OpenMpSpin.VARIABLE); // so the start sets it, through JNA
        Process process = builder.start();
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
        String output = Files.readString(root.resolve("engine.log"));
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }

    @Test
    void unpackedOnceJnaLoadsWithoutTheTemporaryDirectory() throws Exception {
        assertThat(engine()).as("the failure this prevents").contains("could not set " + OpenMpSpin.VARIABLE);

        Path dir = root.resolve("jna");
        String first = engine("-D" + JnaDispatchLibrary.PATH_PROPERTY + "=" + dir);
        Path library = dir.resolve(System.mapLibraryName("jnidispatch"));
        assertThat(first).contains("JNA native library " + library);
        assertThat(library).isNotEmptyFile();

        String next = engine("-D" + JnaDispatchLibrary.PATH_PROPERTY + "=" + dir);
        assertThat(next).doesNotContain("could not set").doesNotContain(" WARN dev.folio");
        assertThat(JnaDispatchLibrary.unpackInto(dir)).as("kept").isEqualTo(library);
    }
}
