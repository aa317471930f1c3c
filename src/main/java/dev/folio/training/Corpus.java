package dev.folio.training;

import dev.folio.store.Checksums;
import dev.folio.tokenizer.CharTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A training corpus, tokenized and split the usual way: first 90% of the tokens train, last 10%
 * validation. The vocabulary is every character of the whole text, as nanoGPT's prepare.py.
 */
public record Corpus(CharTokenizer tokenizer, int[] train, int[] validation, String sha256, long characters) {

    public static final double TRAIN_FRACTION = 0.9;

    public static Corpus read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        return of(new String(bytes, StandardCharsets.UTF_8), Checksums.sha256(bytes));
    }

    public static Corpus of(String text) {
        return of(text, Checksums.sha256(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Splits text encoded with an existing vocabulary (fine-tuning a served model). */
    public static Corpus of(String text, CharTokenizer tokenizer) {
        return split(text, tokenizer, Checksums.sha256(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static Corpus of(String text, String sha256) {
        return split(text, CharTokenizer.fromCorpus(text), sha256);
    }

    private static Corpus split(String text, CharTokenizer tokenizer, String sha256) {
        int[] ids = tokenizer.encode(text);
        int cut = (int) (ids.length * TRAIN_FRACTION);
        return new Corpus(tokenizer, Arrays.copyOfRange(ids, 0, cut), Arrays.copyOfRange(ids, cut, ids.length), sha256, text.length());
    }

}
