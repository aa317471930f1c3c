package dev.folio.model;

/**
 * The architecture of a GPT, as in nanoGPT's GPTConfig.
 *
 * @param vocabSize number of token ids
 * @param blockSize context window: the most positions the model attends over
 * @param nLayer transformer blocks
 * @param nHead attention heads per block
 * @param nEmbd embedding width; divisible by nHead
 * @param dropout dropout rate used in training (0 turns it off)
 * @param bias whether Linear and LayerNorm layers carry biases
 */
public record GptConfig(int vocabSize, int blockSize, int nLayer, int nHead, int nEmbd, float dropout, boolean bias) {

    public GptConfig {
        requirePositive("vocabSize", vocabSize);
        requirePositive("blockSize", blockSize);
        requirePositive("nLayer", nLayer);
        requirePositive("nHead", nHead);
        requirePositive("nEmbd", nEmbd);
        if (nEmbd % nHead != 0) {
            throw new IllegalArgumentException("nEmbd (" + nEmbd + ") must be divisible by nHead (" + nHead + ")");
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), was " + dropout);
        }
    }

    public int headDim() {
        return nEmbd / nHead;
    }

    /** Parameters in the model; the tied output projection is counted once, as nanoGPT does. */
    public long parameterCount() {
        long c = nEmbd;
        long biasTerms = bias ? 1 : 0;
        long layerNorm = c + biasTerms * c;
        long attention = c * 3 * c + biasTerms * 3 * c + c * c + biasTerms * c;
        long mlp = c * 4 * c + biasTerms * 4 * c + 4 * c * c + biasTerms * c;
        long block = 2 * layerNorm + attention + mlp;
        return (long) vocabSize * c + (long) blockSize * c + nLayer * block + layerNorm;
    }

    /** A copy with another dropout rate (0 for inference). */
    public GptConfig withDropout(float rate) {
        return new GptConfig(vocabSize, blockSize, nLayer, nHead, nEmbd, rate, bias);
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }
}
