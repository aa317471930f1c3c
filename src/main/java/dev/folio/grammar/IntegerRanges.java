package dev.folio.grammar;

import static dev.folio.grammar.RegexNode.chars;
import static dev.folio.grammar.RegexNode.choice;
import static dev.folio.grammar.RegexNode.literal;
import static dev.folio.grammar.RegexNode.repeat;
import static dev.folio.grammar.RegexNode.sequence;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON texts of the integers in a range, either end open: decimal, no leading zeros, {@code -} for
 * negatives only (no {@code -0}). Built digit by digit, so its size grows with the square of the number
 * of digits, not with the width of the range.
 */
final class IntegerRanges {

    private static final CharRanges DIGIT = CharRanges.range('0', '9');

    private IntegerRanges() {}

    /** The integers from {@code min} to {@code max}, inclusive; a null end is open. */
    static RegexNode between(BigInteger min, BigInteger max) {
        if (min != null && max != null && min.compareTo(max) > 0) {
            throw new IllegalArgumentException("empty range " + min + ".." + max);
        }
        List<RegexNode> parts = new ArrayList<>();
        // negatives: "-" and the magnitude, from max(1, -max) to -min
        if (min == null || min.signum() < 0) {
            BigInteger low = max == null || max.signum() >= 0 ? BigInteger.ONE : max.negate();
            parts.add(sequence(literal("-"), nonNegative(low, min == null ? null : min.negate())));
        }
        if (max == null || max.signum() >= 0) {
            parts.add(nonNegative(min == null || min.signum() < 0 ? BigInteger.ZERO : min, max));
        }
        return choice(parts);
    }

    /** {@code low..high} with {@code 0 <= low}, {@code high} null for no maximum. */
    private static RegexNode nonNegative(BigInteger low, BigInteger high) {
        String lo = low.toString();
        List<RegexNode> byLength = new ArrayList<>();
        int longest = high == null ? lo.length() : high.toString().length();
        for (int length = lo.length(); length <= longest; length++) {
            String from = length == lo.length() ? lo : "1" + "0".repeat(length - 1);
            String to = high != null && length == longest ? high.toString() : "9".repeat(length);
            byLength.add(sameLength(from, to));
        }
        if (high == null) {
            // every longer number
            byLength.add(sequence(chars(CharRanges.range('1', '9')),
                    repeat(chars(DIGIT), lo.length(), RegexNode.UNBOUNDED)));
        }
        return choice(byLength);
    }

    /** The numerals from {@code from} to {@code to}, both with the same number of digits. */
    private static RegexNode sameLength(String from, String to) {
        if (from.isEmpty()) {
            return RegexNode.EMPTY;
        }
        char first = from.charAt(0);
        char last = to.charAt(0);
        String fromRest = from.substring(1);
        String toRest = to.substring(1);
        if (first == last) {
            return sequence(literal(String.valueOf(first)), sameLength(fromRest, toRest));
        }
        List<RegexNode> parts = new ArrayList<>();
        boolean fromRound = fromRest.chars().allMatch(c -> c == '0');
        boolean toRound = toRest.chars().allMatch(c -> c == '9');
        if (!fromRound) {
            parts.add(sequence(literal(String.valueOf(first)), sameLength(fromRest, "9".repeat(fromRest.length()))));
        }
        char middleFrom = fromRound ? first : (char) (first + 1);
        char middleTo = toRound ? last : (char) (last - 1);
        if (middleFrom <= middleTo) {
            parts.add(sequence(chars(CharRanges.range(middleFrom, middleTo)),
                    repeat(chars(DIGIT), fromRest.length(), fromRest.length())));
        }
        if (!toRound) {
            parts.add(sequence(literal(String.valueOf(last)), sameLength("0".repeat(toRest.length()), toRest)));
        }
        return choice(parts);
    }
}
