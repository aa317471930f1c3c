package dev.folio.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CharTokenizerTest {

    private final CharTokenizer tokenizer = CharTokenizer.fromCorpus("hello world\nHELLO!");

    @Test
    void vocabularyIsTheSortedDistinctCharacters() {
        assertThat(tokenizer.vocabulary()).isEqualTo("\n !EHLOdehlorw");
        assertThat(tokenizer.vocabSize()).isEqualTo(14);
        assertThat(CharTokenizer.fromVocabulary(tokenizer.vocabulary())).isEqualTo(tokenizer);
    }

    @Test
    void encodeThenDecodeGivesTheTextBack() {
        String text = "hello HELLO\nworld!";
        int[] ids = tokenizer.encode(text);
        assertThat(ids).hasSize(text.length());
        assertThat(tokenizer.decode(ids)).isEqualTo(text);
    }

    @Test
    void tokensCarryTheirOffsets() {
        var tokens = tokenizer.tokenize("oh!");
        assertThat(tokens).extracting(CharTokenizer.Token::text).containsExactly("o", "h", "!");
        assertThat(tokens).extracting(CharTokenizer.Token::start).containsExactly(0, 1, 2);
        assertThat(tokens).extracting(CharTokenizer.Token::stop).containsExactly(1, 2, 3);
    }

    @Test
    void unknownCharactersAreNamedWithTheirPositions() {
        assertThatThrownBy(() -> tokenizer.encode("hello zebra€"))
                .isInstanceOf(UnknownCharacterException.class)
                .hasMessageContaining("'z' (U+007A) at position 6")
                .hasMessageContaining("'b' (U+0062) at position 8")
                .hasMessageContaining("'€' (U+20AC) at position 11")
                .satisfies(e -> assertThat(((UnknownCharacterException) e).occurrences()).hasSize(4));
    }

    @Test
    void decodeRejectsIdsOutsideTheVocabulary() {
        assertThatThrownBy(() -> tokenizer.decode(14)).hasMessageContaining("outside the vocabulary");
    }
}
