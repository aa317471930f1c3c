package dev.folio.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;

/**
 * nanoGPT's get_batch: random contiguous windows of blockSize+1 tokens from one split; x is the first
 * blockSize tokens of each window, y the same shifted by one.
 */
public final class BatchSampler {

    private final int[] tokens;
    private final int blockSize;

    public BatchSampler(int[] tokens, int blockSize) {
        if (tokens.length < blockSize + 1) {
            throw new IllegalArgumentException("split has " + tokens.length + " tokens; need at least blockSize+1 = " + (blockSize + 1));
        }
        this.tokens = tokens;
        this.blockSize = blockSize;
    }

    public int size() {
        return tokens.length;
    }

    /** A batch [x (B,T), y (B,T)] of int32 token ids, created in {@code manager}. */
    public NDList sample(NDManager manager, Random random, int batchSize) {
        int[] x = new int[batchSize * blockSize];
        int[] y = new int[batchSize * blockSize];
        int starts = tokens.length - blockSize; // a window [i, i+blockSize] must fit
        for (int b = 0; b < batchSize; b++) {
            int start = random.nextInt(starts);
            System.arraycopy(tokens, start, x, b * blockSize, blockSize);
            System.arraycopy(tokens, start + 1, y, b * blockSize, blockSize);
        }
        Shape shape = new Shape(batchSize, blockSize);
        NDArray xs = manager.create(x, shape);
        NDArray ys = manager.create(y, shape);
        return new NDList(xs, ys);
    }
}
