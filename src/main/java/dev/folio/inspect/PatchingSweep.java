package dev.folio.inspect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.folio.engine.GradMode;
import dev.folio.model.GptConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.concurrent.CancellationException;

/**
 * Activation patching over a grid: one pass per cell, each with one activation taken from the other text, the metric
 * read at one position. Denoising runs the corrupted text with one clean activation; noising the clean text with one
 * corrupted activation.
 */
public final class PatchingSweep {

    /** What a cell patches: one head's hook_z at every position, or one residual stream at one position. */
    public enum Grid { LAYER_HEAD, LAYER_POSITION }

    /** A number read from one position's logits. */
    public interface Metric {
        double of(float[] logits);

        static Metric logitDiff(int correct, int wrong) {
            return logits -> logits[correct] - logits[wrong];
        }

        static Metric prob(int token) {
            return logits -> Distribution.of(logits).prob(token);
        }
    }

    /**
     * @param values [layer][head or position]: the metric under that cell's patch
     * @param cleanMetric the clean text's own metric
     * @param corruptedMetric the corrupted text's own metric
     * @param runs passes made for the cells
     * @param tokenPositions token positions those passes evaluated
     * @param cpuNanos processor time of the sweep's thread
     */
    public record Result(double[][] values, double cleanMetric, double corruptedMetric, int runs, long tokenPositions, long cpuNanos) {}

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private PatchingSweep() {}

    /** Cells (one pass each) a sweep of {@code tokens} positions makes: bound it before running. */
    public static int runs(Grid grid, GptConfig config, int tokens) {
        return config.nLayer() * (grid == Grid.LAYER_HEAD ? config.nHead() : tokens);
    }

    /**
     * @param stream for {@link Grid#LAYER_POSITION}: resid_pre, resid_mid, resid_post, attn_out or mlp_out
     * @param denoise true: run corrupted, patch clean; false: run clean, patch corrupted
     */
    public static Result run(Inspector inspector, int[] clean, int[] corrupted, Grid grid, String stream, boolean denoise, Metric metric, int position) {
        GptConfig config = inspector.config();
        long start = THREADS.getCurrentThreadCpuTime();
        int[] run = denoise ? corrupted : clean;
        int[] source = denoise ? clean : corrupted;
        try (NDManager manager = inspector.newManager(); GradMode ignored = GradMode.disabled()) {
            List<String> hooks = java.util.stream.IntStream.range(0, config.nLayer()).mapToObj(layer -> hook(grid, stream, layer)).toList();
            Capture fromSource = new Capture(hooks);
            double sourceMetric = metric.of(inspector.gpt().logits(manager, source, fromSource, WhatIfs.NONE).get(position).toFloatArray());
            double runMetric = metric.of(inspector.gpt().logits(manager, run, Hooks.NONE, WhatIfs.NONE).get(position).toFloatArray());
            int columns = grid == Grid.LAYER_HEAD ? config.nHead() : run.length;
            double[][] values = new double[config.nLayer()][columns];
            for (int layer = 0; layer < config.nLayer(); layer++) {
                String hook = hooks.get(layer);
                List<String> axes = inspector.names().axes(hook);
                for (int column = 0; column < columns; column++) {
                    if (Thread.interrupted()) {
                        throw new CancellationException("the patching sweep ran out of time");
                    }
                    Intervention.Patch patch = grid == Grid.LAYER_HEAD ? new Intervention.Patch(hook, source, List.of(column), null)
                            : new Intervention.Patch(hook, source, null, List.of(column));
                    NDArray taken = fromSource.get(hook);
                    try (NDManager pass = manager.newSubManager()) {
                        Hooks patching = new Hooks() {
                            @Override
                            public NDArray at(String name, NDArray value) {
                                return name.equals(hook) ? patch.patched(pass, value, taken, axes) : value;
                            }

                            @Override
                            public boolean wants(String name) {
                                return name.equals(hook);
                            }
                        };
                        values[layer][column] = metric.of(inspector.gpt().logits(pass, run, patching, WhatIfs.NONE).get(position).toFloatArray());
                    }
                }
            }
            int runs = config.nLayer() * columns;
            return new Result(values, denoise ? sourceMetric : runMetric, denoise ? runMetric : sourceMetric, runs, (long) runs * run.length,
                    THREADS.getCurrentThreadCpuTime() - start);
        }
    }

    private static String hook(Grid grid, String stream, int layer) {
        return grid == Grid.LAYER_HEAD ? "blocks." + layer + ".attn.hook_z" : "blocks." + layer + ".hook_" + stream;
    }
}
