package dev.folio.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.HashMap;

/**
 * Character-level tokenizer: one token per Unicode code point of the training corpus, ids in sorted
 * code-point order (nanoGPT's shakespeare_char prepare.py does the same).
 */
public final class CharTokenizer {

    private final int[] codePoints;
    private final Map<Integer, Integer> idByCodePoint;

    private CharTokenizer(int[] sortedDistinctCodePoints) {
        if (sortedDistinctCodePoints.length == 0) {
            throw new IllegalArgumentException("vocabulary is empty");
        }
        this.codePoints = sortedDistinctCodePoints.clone();
        this.idByCodePoint = new HashMap<>();
        for (int id = 0; id < codePoints.length; id++) {
            if (id > 0 && codePoints[id] <= codePoints[id - 1]) {
                throw new IllegalArgumentException("vocabulary must be sorted and distinct");
            }
            idByCodePoint.put(codePoints[id], id);
        }
    }

    /** The vocabulary of a corpus: its distinct characters, sorted. */
    public static CharTokenizer fromCorpus(CharSequence corpus) {
        TreeSet<Integer> distinct = new TreeSet<>();
        corpus.codePoints().forEach(distinct::add);
        return new CharTokenizer(distinct.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Rebuilds a tokenizer from a stored vocabulary string (its characters in id order). */
    public static CharTokenizer fromVocabulary(String vocabulary) {
        return new CharTokenizer(vocabulary.codePoints().toArray());
    }

    /** The vocabulary as one string, characters in id order; what the model store keeps. */
    public String vocabulary() {
        return new String(codePoints, 0, codePoints.length);
    }

    public int vocabSize() {
        return codePoints.length;
    }

    public boolean contains(int codePoint) {
        return idByCodePoint.containsKey(codePoint);
    }

    /** Encodes text; throws {@link UnknownCharacterException} naming every character outside the vocabulary. */
    public int[] encode(CharSequence text) {
        return tokenize(text).stream().mapToInt(Token::id).toArray();
    }

    /** Tokens with their character offsets into {@code text} (UTF-16 indices, end exclusive). */
    public List<Token> tokenize(CharSequence text) {
        List<Token> tokens = new ArrayList<>(text.length());
        List<UnknownCharacterException.Occurrence> unknown = new ArrayList<>();
        String s = text.toString();
        for (int offset = 0; offset < s.length(); ) {
            int cp = s.codePointAt(offset);
            int end = offset + Character.charCount(cp);
            Integer id = idByCodePoint.get(cp);
            if (id == null) {
                unknown.add(new UnknownCharacterException.Occurrence(cp, offset));
            } else {
                tokens.add(new Token(id, s.substring(offset, end), offset, end));
            }
            offset = end;
        }
        if (!unknown.isEmpty()) {
            throw new UnknownCharacterException(unknown);
        }
        return tokens;
    }

    public String decode(int... ids) {
        StringBuilder sb = new StringBuilder(ids.length);
        for (int id : ids) {
            sb.appendCodePoint(codePoint(id));
        }
        return sb.toString();
    }

    public String decode(int id) {
        return new String(Character.toChars(codePoint(id)));
    }

    private int codePoint(int id) {
        if (id < 0 || id >= codePoints.length) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + codePoints.length + ")");
        }
        return codePoints[id];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CharTokenizer other && Arrays.equals(codePoints, other.codePoints);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(codePoints);
    }

    /** One token and where it sits in the text it came from. */
    public record Token(int id, String text, int start, int stop) {}
}
