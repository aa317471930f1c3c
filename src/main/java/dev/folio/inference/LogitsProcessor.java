package dev.folio.inference;

/**
 * One link of a sequence's processor chain (as Hugging Face's LogitsProcessorList): adjusts the next token's scores in
 * place, from the tokens so far. Each implementation does one job; {@link TokenSampler} runs them in order.
 */
interface LogitsProcessor {

    /**
     * @param scores the next token's scores (V), a copy the chain may change
     * @param tokens the sequence so far: prompt, then generated tokens
     * @param length how many of {@code tokens} are filled
     * @param promptLength how many of them are the prompt's
     */
    void apply(float[] scores, int[] tokens, int length, int promptLength);
}
