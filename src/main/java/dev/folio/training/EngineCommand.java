package dev.folio.training;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code folio engine}: starts DJL's PyTorch engine and reports it. Starting it extracts libtorch from
 * the jar into DJL's cache ({@code DJL_CACHE_DIR}), which the container image does at build time so
 * it can run with a read-only root filesystem.
 */
@Command(name = "engine", mixinStandardHelpOptions = true, description = "Load the deep-learning engine (extracting its native libraries) and report it.")
public final class EngineCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        Engine engine = Engine.getEngine("PyTorch");
        System.out.printf("engine %s %s, GPUs %d, intra-op threads %d, inter-op threads %d%n", engine.getEngineName(), engine.getVersion(),
                engine.getGpuCount(), JniUtils.getNumThreads(), JniUtils.getNumInteropThreads());
        return 0;
    }
}
