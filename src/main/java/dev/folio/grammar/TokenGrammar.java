package dev.folio.grammar;

import dk.brics.automaton.Automaton;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A compiled constraint for decoding with a character vocabulary (every token is one char): a
 * deterministic automaton over the model's token ids, with the allowed-token mask of each state
 * precomputed, so a constrained decoding step costs a lookup. Immutable, thread-safe, shareable between
 * sequences: a sequence keeps only its current state.
 *
 * <p>A mask allows exactly the tokens that keep the text a prefix of some full match written with the
 * vocabulary's characters only, so decoding can never reach a state with nothing allowed and no match.
 * Matching is of the whole text (anchored at both ends). Compiling is bounded by {@link GrammarLimits}: a
 * grammar too large or too complex is refused with a {@link GrammarException} as soon as a bound is
 * crossed, most before any automaton is built. A grammar the vocabulary cannot write at all is refused
 * too, naming the characters it lacks.
 *
 * <p>Typical use: {@code int s = g.start();} then per step mask the logits with {@code g.mask(s)}, sample
 * token {@code t}, {@code s = g.next(s, t)}; stop when {@code !g.canContinue(s)}, and allow the end of the
 * sequence only when {@code g.accepts(s)}.
 */
public final class TokenGrammar {

    /** Mask entries (states allowing distinct tokens, times the vocabulary's size) per permitted state. */
    private static final long MASK_ENTRIES_PER_STATE = 1024;

    private final int vocabularySize;
    private final int classes;
    private final int[] tokenClass;
    private final int[] next;
    private final boolean[] accepting;
    private final boolean[] continuing;
    /** Per state; states allowing the same classes share one array. */
    private final boolean[][] masks;

    private TokenGrammar(Dfa dfa, Alphabet alphabet, int vocabularySize, GrammarLimits limits) {
        this.vocabularySize = vocabularySize;
        this.classes = dfa.classes();
        this.tokenClass = alphabet.tokenClass;
        this.next = dfa.next();
        this.accepting = dfa.accepting();
        this.continuing = new boolean[dfa.states()];
        this.masks = new boolean[dfa.states()][];
        Map<BitSet, boolean[]> distinct = new HashMap<>();
        for (int s = 0; s < dfa.states(); s++) {
            CompileCancellation.check();
            BitSet allowed = new BitSet(classes);
            for (int c = 0; c < classes; c++) {
                if (dfa.next(s, c) >= 0) {
                    allowed.set(c);
                }
            }
            continuing[s] = !allowed.isEmpty();
            masks[s] = distinct.computeIfAbsent(allowed, this::tokenMask);
            if ((long) distinct.size() * vocabularySize > limits.maxStates() * MASK_ENTRIES_PER_STATE) {
                throw new GrammarException("grammar too complex: too many distinct masks for this vocabulary");
            }
        }
    }

    private boolean[] tokenMask(BitSet allowedClasses) {
        boolean[] mask = new boolean[vocabularySize];
        for (int t = 0; t < vocabularySize; t++) {
            mask[t] = allowedClasses.get(tokenClass[t]);
        }
        return mask;
    }

    /**
     * Compiles a regular expression; the text must match it as a whole. Syntax: the common subset of
     * Python's, JavaScript's and Java's — literals, {@code .} (any char but newline), classes such as
     * {@code [a-z]} and {@code [^"]}, {@code \d \w \s \D \W \S} (ASCII), escapes such as {@code \n \t \.
     * \xHH}, alternation, groups {@code (...)} {@code (?:...)} {@code (?<name>...)}, quantifiers
     * {@code * + ? {n} {n,} {n,m}} (bounds up to 1000; lazy forms accepted), a leading {@code ^} and a
     * trailing {@code $} (ignored). Lookaround, backreferences, {@code \b}, other anchors and inline flags
     * are refused.
     *
     * @param pattern the regular expression
     * @param vocabulary the model's tokens in id order: token id {@code i} is the character
     *     {@code vocabulary.charAt(i)} (single UTF-16 chars)
     * @param limits bounds on the pattern's length and the automaton's size
     * @throws GrammarException if the pattern is invalid, unsupported, too long or too complex, or nothing
     *     written with the vocabulary matches it
     */
    public static TokenGrammar regex(String pattern, String vocabulary, GrammarLimits limits) {
        Objects.requireNonNull(pattern, "pattern");
        return compile(RegexParser.parse(pattern, limits.maxPatternLength()), vocabulary, limits);
    }

    /**
     * Compiles a JSON Schema (as JSON text) to the regular language of the JSON texts it allows, then as
     * {@link #regex}. Supported: {@code type} (object, array, string, integer, number, boolean, null, or a
     * list of them), {@code properties} (written in the schema's order, the {@code required} ones always,
     * the others present or not, no other property: {@code additionalProperties} is read as false),
     * {@code items}, {@code minItems}, {@code maxItems}, {@code enum} and {@code const} (any values),
     * {@code pattern} (the syntax of {@link #regex}, matched against the whole value), {@code minLength},
     * {@code maxLength}, and for integers {@code minimum}, {@code maximum}, {@code exclusiveMinimum},
     * {@code exclusiveMaximum}. {@code description}, {@code title}, {@code $schema}, {@code $id},
     * {@code $comment}, {@code default} and {@code examples} are ignored; any other keyword is refused by
     * name. Where the schema leaves content open ({@code {}}, an array without {@code items}, an object
     * without {@code properties}), containers nest at most 3 deep in all. The text is compact: no
     * whitespace except one optional space after each {@code :} and {@code ,}.
     *
     * @param schemaJson the schema
     * @param vocabulary the model's tokens in id order, as for {@link #regex}
     * @param limits bounds on each pattern's length and the automaton's size
     * @throws GrammarException if the schema is not valid JSON, uses something unsupported, is too
     *     complex, or nothing written with the vocabulary matches it
     */
    public static TokenGrammar jsonSchema(String schemaJson, String vocabulary, GrammarLimits limits) {
        Objects.requireNonNull(schemaJson, "schemaJson");
        return compile(JsonSchemaCompiler.compile(schemaJson, limits), vocabulary, limits);
    }

    /**
     * Any JSON object, for OpenAI's {@code response_format: json_object} and TGI's {@code {"type": "json"}}
     * without a schema. The subset: objects and arrays nested at most 3 deep (the outer object counts),
     * any string keys, values strings, numbers, {@code true}, {@code false},
     * {@code null}, arrays and objects; compact, with no whitespace except one optional space after each
     * {@code :} and {@code ,}.
     *
     * @param vocabulary the model's tokens in id order, as for {@link #regex}
     * @param limits bounds on the automaton's size
     * @throws GrammarException if the vocabulary cannot write a JSON object
     */
    public static TokenGrammar anyJsonObject(String vocabulary, GrammarLimits limits) {
        return compile(JsonText.anyObject(JsonText.ANY_DEPTH), vocabulary, limits);
    }

    private static TokenGrammar compile(RegexNode node, String vocabulary, GrammarLimits limits) {
        Objects.requireNonNull(vocabulary, "vocabulary");
        Objects.requireNonNull(limits, "limits");
        Automaton automaton = RegexAutomaton.build(node, limits);
        Nfa nfa = NfaReduction.reduce(Nfa.of(automaton, limits));
        Alphabet alphabet = Alphabet.of(vocabulary, nfa);
        Dfa live = DeadStates.prune(SubsetConstruction.run(nfa, alphabet, limits));
        if (live == null) {
            throw MissingCharacters.refusal(nfa, alphabet);
        }
        return new TokenGrammar(live, alphabet, vocabulary.length(), limits);
    }

    /** The initial state: nothing generated yet. */
    public int start() {
        return 0;
    }

    /** Whether {@code tokenId} may follow in {@code state}. */
    public boolean allows(int state, int tokenId) {
        return mask(state)[tokenId];
    }

    /**
     * The tokens allowed in {@code state}, indexed by token id. The same array each call, and shared between
     * states: callers must not modify it.
     */
    public boolean[] mask(int state) {
        return masks[state];
    }

    /**
     * The state after {@code tokenId}.
     *
     * @throws IllegalArgumentException if the token is not allowed in {@code state}
     */
    public int next(int state, int tokenId) {
        int target = next[state * classes + tokenClass[tokenId]];
        if (target < 0) {
            throw new IllegalArgumentException("token " + tokenId + " is not allowed in state " + state);
        }
        return target;
    }

    /** Whether the text so far is a full match (the sequence may end here). */
    public boolean accepts(int state) {
        return accepting[state];
    }

    /** Whether some token is allowed in {@code state}; if not, the state accepts and generation must stop. */
    public boolean canContinue(int state) {
        return continuing[state];
    }

    /** The number of states, numbered from 0: for metrics and tests. */
    public int states() {
        return accepting.length;
    }
}
