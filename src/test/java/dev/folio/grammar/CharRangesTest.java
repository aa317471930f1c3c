package dev.folio.grammar;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CharRangesTest {

    @Test
    void unionMergesOverlappingAndTouchingRanges() {
        CharRanges set = CharRanges.range('a', 'c').union(CharRanges.range('d', 'f')).union(CharRanges.of('b'))
                .union(CharRanges.of('x'));

        assertThat(set.rangeCount()).isEqualTo(2);
        assertThat(set.lo(0)).isEqualTo('a');
        assertThat(set.hi(0)).isEqualTo('f');
        assertThat(set.contains('x')).isTrue();
        assertThat(set.contains('g')).isFalse();
    }

    @Test
    void complementMinusAndIntersect() {
        CharRanges letters = CharRanges.range('a', 'z');
        CharRanges vowels = CharRanges.chars("aeiou");

        assertThat(letters.complement().contains('a')).isFalse();
        assertThat(letters.complement().contains(Character.MIN_VALUE)).isTrue();
        assertThat(letters.complement().contains(Character.MAX_VALUE)).isTrue();
        assertThat(letters.complement().complement()).isEqualTo(letters);
        assertThat(letters.minus(vowels).contains('e')).isFalse();
        assertThat(letters.minus(vowels).contains('f')).isTrue();
        assertThat(letters.intersect(vowels)).isEqualTo(vowels);
        assertThat(CharRanges.ALL.complement().isEmpty()).isTrue();
        assertThat(CharRanges.EMPTY.complement()).isEqualTo(CharRanges.ALL);
    }
}
