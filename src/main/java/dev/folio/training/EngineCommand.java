package dev.folio.training;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import dev.folio.engine.JnaDispatchLibrary;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code folio engine}: starts DJL's PyTorch engine and reports it. Starting it extracts libtorch from
 * the jar into DJL's cache ({@code DJL_CACHE_DIR}), which the container image does at build time so
 * it can run with a read-only root filesystem. With {@code -Djna.boot.library.path=DIR} it also unpacks JNA's native
 * library there, so JNA loads it from DIR rather than unpacking it into a temporary directory that may be noexec.
 */
@Command(name = "engine", mixinStandardHelpOptions = true, description = "Load the deep-learning engine (extracting its native libraries) and report it; with -Djna.boot.library.path=DIR, "
        + "also unpack JNA's native library into DIR.")
public final class EngineCommand implements Callable<Integer> {

    @Override
    public Integer call() throws IOException {
        Engine engine = Engine.getEngine("PyTorch");
        System.out.printf("engine %s %s, GPUs %d, intra-op threads %d, inter-op threads %d%n", engine.getEngineName(), engine.getVersion(),
                engine.getGpuCount(), JniUtils.getNumThreads(), JniUtils.getNumInteropThreads());
        Path jna = JnaDispatchLibrary.configuredDirectory();
        if (jna != null) {
            System.out.println("JNA native library " + JnaDispatchLibrary.unpackInto(jna));
        }
        return 0;
    }
}
