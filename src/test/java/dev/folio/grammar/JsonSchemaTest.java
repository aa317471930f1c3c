package dev.folio.grammar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * JSON Schemas compiled to grammars, checked by random walks: every text decoding could produce must parse
 * as JSON and satisfy the schema, judged by hand-written checks.
 */
class JsonSchemaTest {

    /** JSON's punctuation, digits, letters, whitespace the grammar must never emit raw, a non-ASCII letter. */
    private static final String VOCABULARY = "{}[]\":, .-+0123456789abcdefghijklmnopqrstuvwxyzABCDEF\\/\n\té";
    private static final int WALKS = 300;

    /** Numbers as doubles: the grammar allows any exponent, which BigDecimal refuses beyond its limits. */
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** Single quotes stand for double quotes, to keep the schemas readable. */
    private static TokenGrammar schema(String singleQuoted) {
        return TokenGrammar.jsonSchema(singleQuoted.replace('\'', '"'), VOCABULARY, GrammarLimits.DEFAULT);
    }

    private static boolean matches(TokenGrammar g, String text) {
        return TokenGrammarTest.matches(g, VOCABULARY, text);
    }

    /**
     * Random texts the grammar allows: a random allowed token each step, stopping at an accepting state on a
     * coin flip; past a soft length, the token nearest to an accepting state, so every walk ends.
     */
    static final class Walker {

        private final TokenGrammar grammar;
        private final String vocabulary;
        private final int[] distance;

        Walker(TokenGrammar grammar, String vocabulary) {
            this.grammar = grammar;
            this.vocabulary = vocabulary;
            this.distance = distancesToAcceptance(grammar);
        }

        private static int[] distancesToAcceptance(TokenGrammar g) {
            int n = g.states();
            List<List<Integer>> into = new ArrayList<>();
            for (int s = 0; s < n; s++) {
                into.add(new ArrayList<>());
            }
            for (int s = 0; s < n; s++) {
                boolean[] mask = g.mask(s);
                for (int t = 0; t < mask.length; t++) {
                    if (mask[t]) {
                        into.get(g.next(s, t)).add(s);
                    }
                }
            }
            int[] distance = new int[n];
            Arrays.fill(distance, Integer.MAX_VALUE);
            ArrayDeque<Integer> queue = new ArrayDeque<>();
            for (int s = 0; s < n; s++) {
                if (g.accepts(s)) {
                    distance[s] = 0;
                    queue.add(s);
                }
            }
            while (!queue.isEmpty()) {
                int s = queue.poll();
                for (int p : into.get(s)) {
                    if (distance[p] == Integer.MAX_VALUE) {
                        distance[p] = distance[s] + 1;
                        queue.add(p);
                    }
                }
            }
            return distance;
        }

        String walk(Random random, int softLength) {
            StringBuilder text = new StringBuilder();
            int state = grammar.start();
            while (true) {
                boolean long_ = text.length() >= softLength;
                if (grammar.accepts(state) && (!grammar.canContinue(state) || long_ || random.nextInt(3) == 0)) {
                    return text.toString();
                }
                assertThat(distance[state]).as("every state can still reach a match").isLessThan(Integer.MAX_VALUE);
                List<Integer> allowed = new ArrayList<>();
                boolean[] mask = grammar.mask(state);
                for (int t = 0; t < mask.length; t++) {
                    if (mask[t]) {
                        allowed.add(t);
                    }
                }
                assertThat(allowed).as("a state that does not accept allows some token").isNotEmpty();
                int token = allowed.get(random.nextInt(allowed.size()));
                if (long_) {
                    for (int t : allowed) {
                        if (distance[grammar.next(state, t)] < distance[grammar.next(state, token)]) {
                            token = t;
                        }
                    }
                }
                text.append(vocabulary.charAt(token));
                state = grammar.next(state, token);
                assertThat(text.length()).isLessThan(softLength + 10_000);
            }
        }
    }

    /** Walks the grammar and hands each text, parsed, to {@code check}; returns the texts. */
    private static List<String> walks(TokenGrammar g, Consumer<JsonNode> check) {
        Walker walker = new Walker(g, VOCABULARY);
        Random random = new Random(42);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < WALKS; i++) {
            String text = walker.walk(random, 60);
            assertCompact(text);
            JsonNode node;
            try {
                node = JSON.readTree(text);
            } catch (RuntimeException e) {
                throw new AssertionError("not JSON: " + text, e);
            }
            try {
                check.accept(node);
            } catch (AssertionError e) {
                throw new AssertionError("invalid: " + text + ": " + e.getMessage(), e);
            }
            texts.add(text);
        }
        return texts;
    }

    /** Outside strings, no whitespace but one space after ':' or ','. */
    private static void assertCompact(String text) {
        boolean inString = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                assertThat(c).as("raw control char in a string of %s", text).isGreaterThanOrEqualTo(' ');
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (Character.isWhitespace(c)) {
                assertThat(c).as("whitespace in %s", text).isEqualTo(' ');
                assertThat(i > 0 && (text.charAt(i - 1) == ':' || text.charAt(i - 1) == ',')).as("space in %s", text)
                        .isTrue();
            }
        }
    }

    private static void assertKeysInOrder(JsonNode object, List<String> order, String... required) {
        assertThat(object.isObject()).isTrue();
        List<String> keys = new ArrayList<>(object.propertyNames());
        List<String> expected = new ArrayList<>(order);
        expected.retainAll(keys);
        assertThat(keys).as("keys in schema order, no others").isEqualTo(expected);
        assertThat(keys).containsAll(List.of(required));
    }

    // --- random walks: every text decoding can produce parses and satisfies the schema

    @Test
    void walksOfAFlatObjectSatisfyIt() {
        TokenGrammar g = schema("""
                {'type': 'object', 'title': 'Person', 'description': 'someone', 'additionalProperties': false,
                 'properties': {
                    'name': {'type': 'string', 'minLength': 1, 'maxLength': 8},
                    'age': {'type': 'integer'},
                    'member': {'type': 'boolean'},
                    'note': {'type': 'null'}},
                 'required': ['name', 'age']}""");

        List<String> texts = walks(g, node -> {
            assertKeysInOrder(node, List.of("name", "age", "member", "note"), "name", "age");
            assertThat(node.get("name").isString()).isTrue();
            // the vocabulary has no surrogates, so each UTF-16 char of the value is one char of the schema
            assertThat(node.get("name").asString().length()).isBetween(1, 8);
            assertThat(node.get("age").isIntegralNumber()).isTrue();
            if (node.has("member")) {
                assertThat(node.get("member").isBoolean()).isTrue();
            }
            if (node.has("note")) {
                assertThat(node.get("note").isNull()).isTrue();
            }
        });
        assertThat(texts).anyMatch(t -> t.contains("\"member\"")).anyMatch(t -> !t.contains("\"member\""));
    }

    @Test
    void walksOfANestedObjectWithArraysSatisfyIt() {
        TokenGrammar g = schema("""
                {'type': 'object',
                 'properties': {
                    'id': {'type': 'integer', 'minimum': 1, 'maximum': 999},
                    'tags': {'type': 'array', 'items': {'enum': ['red', 'green', 'blue']}, 'minItems': 1,
                             'maxItems': 3},
                    'owner': {'type': 'object',
                              'properties': {'first': {'type': 'string'},
                                             'last': {'type': 'string', 'pattern': '^[A-C][a-c]*$'}},
                              'required': ['last']},
                    'scores': {'type': 'array', 'items': {'type': 'number'}}},
                 'required': ['id', 'owner']}""");

        walks(g, node -> {
            assertKeysInOrder(node, List.of("id", "tags", "owner", "scores"), "id", "owner");
            assertThat(node.get("id").isIntegralNumber()).isTrue();
            assertThat(node.get("id").bigIntegerValue()).isBetween(BigInteger.ONE, BigInteger.valueOf(999));
            if (node.has("tags")) {
                assertThat(node.get("tags").isArray()).isTrue();
                assertThat(node.get("tags").size()).isBetween(1, 3);
                node.get("tags").forEach(t -> assertThat(t.asString()).isIn("red", "green", "blue"));
            }
            JsonNode owner = node.get("owner");
            assertKeysInOrder(owner, List.of("first", "last"), "last");
            assertThat(owner.get("last").asString()).matches("[A-C][a-c]*");
            if (owner.has("first")) {
                assertThat(owner.get("first").isString()).isTrue();
            }
            if (node.has("scores")) {
                node.get("scores").forEach(s -> assertThat(s.isNumber()).isTrue());
            }
        });
    }

    @Test
    void walksOfAnEnumCoverExactlyItsValues() {
        TokenGrammar g = schema("{'enum': ['yes', 'no', 1, 2.5, true, null, 'say \\'hi\\'']}");
        Set<String> expected = Set.of("\"yes\"", "\"no\"", "1", "2.5", "true", "null", "\"say \\\"hi\\\"\"");

        List<String> texts = walks(g, node -> {});

        assertThat(texts).allMatch(expected::contains);
        assertThat(new HashSet<>(texts)).isEqualTo(expected);
    }

    @Test
    void walksOfAConstAreIt() {
        TokenGrammar g = schema("{'const': {'a': [1, 'x'], 'b': null}}");

        assertThat(new HashSet<>(walks(g, node -> {}))).containsExactly("{\"a\":[1,\"x\"],\"b\":null}");
    }

    @Test
    void walksOfScalarTypes() {
        walks(schema("{'type': 'integer'}"), node -> assertThat(node.isIntegralNumber()).isTrue());
        walks(schema("{'type': 'number'}"), node -> assertThat(node.isNumber()).isTrue());
        walks(schema("{'type': 'boolean'}"), node -> assertThat(node.isBoolean()).isTrue());
        walks(schema("{'type': 'null'}"), node -> assertThat(node.isNull()).isTrue());
        List<String> texts = walks(schema("{'type': ['integer', 'null']}"),
                node -> assertThat(node.isIntegralNumber() || node.isNull()).isTrue());
        assertThat(texts).contains("null").anyMatch(t -> !t.equals("null"));
    }

    @Test
    void walksOfStringsRespectLengthBounds() {
        List<String> texts = walks(schema("{'type': 'string', 'minLength': 2, 'maxLength': 5}"), node -> {
            assertThat(node.isString()).isTrue();
            assertThat(node.asString().length()).isBetween(2, 5);
        });
        assertThat(texts).anyMatch(t -> t.contains("\\"));
    }

    @Test
    void aPatternWhoseValuesNeedEscaping() throws Exception {
        // a, a double quote, a backslash, a newline: the value matches, its JSON text escapes them
        String pattern = "[a\"\\\\\\n]{2,4}";
        String schema = JSON.writeValueAsString(Map.of("type", "string", "pattern", pattern));
        TokenGrammar g = TokenGrammar.jsonSchema(schema, VOCABULARY, GrammarLimits.DEFAULT);

        List<String> texts = walks(g, node -> assertThat(Pattern.matches(pattern, node.asString())).isTrue());

        assertThat(texts).anyMatch(t -> t.contains("\\\"")).anyMatch(t -> t.contains("\\\\"))
                .anyMatch(t -> t.contains("\\n")).noneMatch(t -> t.contains("\n"));
    }

    @Test
    void aPatternWithLengthBounds() {
        TokenGrammar g = schema(
                "{'type': 'string', 'pattern': '[a-c]+(-[a-c]+)*', 'minLength': 3, 'maxLength': 6}");

        walks(g, node -> {
            assertThat(node.asString()).matches("[a-c]+(-[a-c]+)*");
            assertThat(node.asString().length()).isBetween(3, 6);
        });
    }

    @Test
    void arraysWithBoundsAndArraysOfArrays() {
        walks(schema("{'type': 'array', 'items': {'type': 'integer'}, 'minItems': 2, 'maxItems': 4}"), node -> {
            assertThat(node.size()).isBetween(2, 4);
            node.forEach(i -> assertThat(i.isIntegralNumber()).isTrue());
        });
        walks(schema("""
                {'type': 'array', 'maxItems': 3,
                 'items': {'type': 'array', 'items': {'type': 'boolean'}, 'maxItems': 2}}"""), node -> {
            assertThat(node.size()).isLessThanOrEqualTo(3);
            node.forEach(inner -> {
                assertThat(inner.isArray()).isTrue();
                assertThat(inner.size()).isLessThanOrEqualTo(2);
                inner.forEach(b -> assertThat(b.isBoolean()).isTrue());
            });
        });
    }

    @Test
    void anArrayWithoutItemsHoldsAnyValues() {
        walks(schema("{'type': 'array'}"), node -> assertThat(node.isArray()).isTrue());
    }

    @Test
    void everySelectionOfOptionalPropertiesInOrder() {
        TokenGrammar g = schema("""
                {'type': 'object', 'properties': {'a': {'type': 'integer'}, 'b': {'type': 'integer'},
                                                  'c': {'type': 'integer'}}}""");
        Set<List<String>> selections = new HashSet<>();

        walks(g, node -> {
            assertKeysInOrder(node, List.of("a", "b", "c"));
            selections.add(new ArrayList<>(node.propertyNames()));
        });

        assertThat(selections).hasSize(8);
    }

    @Test
    void requiredPropertiesBetweenOptionalOnes() {
        List<String> names = List.of("o1", "r1", "o2", "o3", "r2", "o4");
        TokenGrammar g = schema("""
                {'type': 'object', 'properties': {'o1': {'type': 'null'}, 'r1': {'type': 'null'},
                   'o2': {'type': 'null'}, 'o3': {'type': 'null'}, 'r2': {'type': 'null'}, 'o4': {'type': 'null'}},
                 'required': ['r2', 'r1']}""");
        Set<List<String>> selections = new HashSet<>();

        walks(g, node -> {
            assertKeysInOrder(node, names, "r1", "r2");
            selections.add(new ArrayList<>(node.propertyNames()));
        });

        assertThat(selections).hasSizeGreaterThan(8);
    }

    @Test
    void noSchemaOrTrueMeansAnyValue() {
        walks(schema("{}"), node -> assertThat(node).isNotNull());
        walks(schema("true"), node -> assertThat(node).isNotNull());
    }

    // --- exact texts

    @Test
    void propertiesComeInTheSchemasOrderAndCommasOnlyBetweenThem() {
        TokenGrammar g = schema("{'properties': {'a': {'type': 'integer'}, 'b': {'type': 'integer'}}}");

        assertThat(matches(g, "{}")).isTrue();
        assertThat(matches(g, "{\"b\":1}")).isTrue();
        assertThat(matches(g, "{\"a\":1,\"b\":2}")).isTrue();
        assertThat(matches(g, "{\"b\":1,\"a\":2}")).isFalse();
        assertThat(matches(g, "{\"a\":1,}")).isFalse();
        assertThat(matches(g, "{,\"b\":1}")).isFalse();
        assertThat(matches(g, "{\"a\":1\"b\":2}")).isFalse();
        assertThat(matches(g, "{\"c\":1}")).isFalse();
    }

    @Test
    void oneOptionalSpaceAfterColonAndCommaAndNoOtherWhitespace() {
        TokenGrammar g = schema("{'properties': {'a': {'type': 'array'}, 'b': {'type': 'integer'}}}");

        assertThat(matches(g, "{\"a\": [1, 2], \"b\": 3}")).isTrue();
        assertThat(matches(g, "{\"a\":[1,2],\"b\":3}")).isTrue();
        assertThat(matches(g, "{\"a\":  [1]}")).isFalse();
        assertThat(matches(g, "{ \"a\":[1]}")).isFalse();
        assertThat(matches(g, "{\"a\" :[1]}")).isFalse();
        assertThat(matches(g, "{\"a\":[1 ]}")).isFalse();
        assertThat(matches(g, "{\"a\":[1],\n\"b\":3}")).isFalse();
    }

    @Test
    void jsonNumbersAndIntegers() {
        TokenGrammar number = schema("{'type': 'number'}");
        TokenGrammar integer = schema("{'type': 'integer'}");

        for (String ok : List.of("0", "-0", "12", "-3.25", "1e5", "1E-7", "6.02e+23")) {
            assertThat(matches(number, ok)).as(ok).isTrue();
        }
        for (String bad : List.of("01", "+1", ".5", "1.", "1e", "--1", "0x1")) {
            assertThat(matches(number, bad)).as(bad).isFalse();
        }
        assertThat(matches(integer, "-12")).isTrue();
        assertThat(matches(integer, "1.0")).isFalse();
        assertThat(matches(integer, "007")).isFalse();
    }

    @Test
    void stringEscapes() {
        TokenGrammar g = schema("{'type': 'string'}");

        for (String ok : List.of("\"\"", "\"a b\"", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"",
                "\"\\u00e9\\uABCD\"", "\"é\"")) {
            assertThat(matches(g, ok)).as(ok).isTrue();
        }
        for (String bad : List.of("\"\n\"", "\"\t\"", "\"\\x\"", "\"\\u12\"", "\"a", "\"\"\"")) {
            assertThat(matches(g, bad)).as(bad).isFalse();
        }
    }

    // --- integer bounds, checked for every integer in a range

    private void assertRange(String bounds, long min, long max) {
        TokenGrammar g = schema("{'type': 'integer', " + bounds + "}");
        for (long k = -1200; k <= 1200; k++) {
            assertThat(matches(g, Long.toString(k))).as("%s: %d", bounds, k).isEqualTo(k >= min && k <= max);
        }
        assertThat(matches(g, "-0")).isFalse();
        assertThat(matches(g, "007")).isFalse();
        assertThat(matches(g, "+5")).isFalse();
    }

    @Test
    void inclusiveRanges() {
        assertRange("'minimum': -12, 'maximum': 345", -12, 345);
        assertRange("'minimum': 0, 'maximum': 9", 0, 9);
        assertRange("'minimum': 100, 'maximum': 1000", 100, 1000);
        assertRange("'minimum': -1000, 'maximum': -10", -1000, -10);
        assertRange("'minimum': 7, 'maximum': 7", 7, 7);
        assertRange("'minimum': 1.5, 'maximum': 9.5", 2, 9);
    }

    @Test
    void openEnded() {
        assertRange("'minimum': 7", 7, Long.MAX_VALUE);
        assertRange("'minimum': -7", -7, Long.MAX_VALUE);
        assertRange("'maximum': -3", Long.MIN_VALUE, -3);
        assertRange("'maximum': 250", Long.MIN_VALUE, 250);
        TokenGrammar g = schema("{'type': 'integer', 'minimum': 7}");
        assertThat(matches(g, "123456789012345678901234567890")).isTrue();
    }

    @Test
    void exclusiveBoundsOfBothDrafts() {
        assertRange("'exclusiveMinimum': 0, 'exclusiveMaximum': 10.5", 1, 10);
        assertRange("'minimum': 5, 'exclusiveMinimum': true, 'maximum': 9, 'exclusiveMaximum': true", 6, 8);
        assertRange("'minimum': 3, 'exclusiveMinimum': 5", 6, Long.MAX_VALUE);
    }

    @Test
    void anEmptyRangeIsRefused() {
        assertThatThrownBy(() -> schema("{'type': 'integer', 'minimum': 5, 'maximum': 4}"))
                .hasMessage("json_schema: no integer is within the minimum and maximum");
    }

    // --- any JSON object

    private static final TokenGrammar ANY = TokenGrammar.anyJsonObject(VOCABULARY, GrammarLimits.DEFAULT);

    private static int depth(JsonNode node) {
        int inner = 0;
        for (JsonNode child : node) {
            inner = Math.max(inner, depth(child));
        }
        return node.isContainer() ? inner + 1 : 0;
    }

    @Test
    void anyJsonObjectWalksAreObjectsNestedAtMostThreeDeep() {
        List<String> texts = walks(ANY, node -> {
            assertThat(node.isObject()).isTrue();
            assertThat(depth(node)).isLessThanOrEqualTo(3);
        });
        assertThat(texts).anyMatch(t -> t.contains("["));
    }

    @Test
    void anyJsonObjectAllowsObjectsOnly() {
        assertThat(matches(ANY, "{\"a\": [1, {\"b\": null}], \"c\": \"x\", \"d\": -2.5e3}")).isTrue();
        assertThat(matches(ANY, "{\"a\":{\"b\":{\"c\":true}}}")).isTrue();
        assertThat(matches(ANY, "{\"a\":{\"b\":{\"c\":{}}}}")).isFalse();
        assertThat(matches(ANY, "[1]")).isFalse();
        assertThat(matches(ANY, "\"a\"")).isFalse();
        assertThat(matches(ANY, "{}")).isTrue();
    }

    @Test
    void anyJsonObjectNeedsBraces() {
        assertThatThrownBy(() -> TokenGrammar.anyJsonObject("abc\":", GrammarLimits.DEFAULT))
                .hasMessage("grammar needs characters the model's vocabulary lacks: '{' (U+007B), '}' (U+007D)");
    }

    // --- refused schemas

    private void assertRefused(String singleQuoted, String message) {
        assertThatThrownBy(() -> schema(singleQuoted)).isInstanceOf(GrammarException.class).hasMessage(message);
    }

    @ParameterizedTest
    @ValueSource(strings = {"oneOf", "anyOf", "allOf", "$ref", "not", "patternProperties", "format", "if",
            "multipleOf", "prefixItems", "uniqueItems"})
    void refusesUnsupportedKeywordsByName(String keyword) {
        assertThatThrownBy(() -> schema("{'type': 'string', '" + keyword + "': []}"))
                .hasMessageStartingWith("json_schema: keyword '" + keyword + "' is not supported (supported: type, "
                        + "properties, required,")
                .hasMessageContaining("; ignored: description, title,");
    }

    @Test
    void refusesAnUnsupportedKeywordDeepInsideWithItsLocation() {
        assertThatThrownBy(() -> schema("{'properties': {'pet': {'items': {'anyOf': []}}}}"))
                .hasMessageStartingWith("json_schema: keyword 'anyOf' at /properties/pet/items is not supported");
    }

    @Test
    void refusesTextThatIsNotJson() {
        assertThatThrownBy(() -> schema("{'type': "))
                .hasMessageStartingWith("json_schema: not valid JSON: ");
        assertThatThrownBy(() -> schema("{} {}")).hasMessageStartingWith("json_schema: not valid JSON: ");
        assertThatThrownBy(() -> schema("{'type': 'string', 'type': 'integer'}"))
                .hasMessageStartingWith("json_schema: not valid JSON: Duplicate");
        assertThatThrownBy(() -> schema("")).hasMessageStartingWith("json_schema: not valid JSON");
    }

    @Test
    void refusesAVocabularyWithoutBracesAndQuotesNamingThem() {
        assertThatThrownBy(() -> TokenGrammar.jsonSchema(
                "{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"integer\"}}, \"required\": [\"a\"]}",
                "abc012:, ", GrammarLimits.DEFAULT))
                .hasMessage("grammar needs characters the model's vocabulary lacks: '{' (U+007B), '\"' (U+0022), "
                        + "'}' (U+007D)");
    }

    @Test
    void refusesBadValuesOfSupportedKeywords() {
        assertRefused("{'type': 'date'}", "json_schema: 'type' must be one of object, array, string, integer, "
                + "number, boolean, null or a non-empty list of them, not \"date\"");
        assertRefused("{'properties': {'a': {}}, 'required': ['b']}",
                "json_schema: required property \"b\" is not in 'properties'");
        assertRefused("{'type': 'object', 'required': ['b']}", "json_schema: 'required' needs 'properties'");
        assertRefused("{'type': 'string', 'maxLength': 5000}",
                "json_schema: 'maxLength' 5000 exceeds the limit of 1000");
        assertRefused("{'type': 'string', 'minLength': 5, 'maxLength': 4}",
                "json_schema: 'minLength' is greater than 'maxLength'");
        assertRefused("{'type': 'array', 'minItems': -1}",
                "json_schema: 'minItems' must be a non-negative integer");
        assertRefused("{'type': 'number', 'minimum': 0}",
                "json_schema: 'minimum' is supported only with \"type\": \"integer\"");
        assertRefused("{'minimum': 0}", "json_schema: 'minimum' needs \"type\": \"integer\"");
        assertRefused("{'properties': {'a': false}}",
                "json_schema: the schema false at /properties/a matches nothing");
        assertRefused("{'type': 'array', 'items': [{'type': 'string'}]}",
                "json_schema: 'items' must be one schema (tuple items are not supported)");
        assertRefused("{'enum': []}", "json_schema: 'enum' must be a non-empty array");
        assertRefused("[]", "json_schema: a schema must be an object");
    }

    @Test
    void refusesABadPatternAsARegex() {
        assertRefused("{'properties': {'code': {'type': 'string', 'pattern': '(ab'}}}",
                "json_schema: pattern at /properties/code: regex: unbalanced parenthesis at 0: "
                        + "'(' is never closed");
        GrammarLimits short_ = new GrammarLimits(5, 20_000);
        assertThatThrownBy(() -> TokenGrammar.jsonSchema("{\"pattern\": \"abcdef\"}", VOCABULARY, short_))
                .hasMessage("json_schema: pattern: regex: pattern is 6 characters long; the limit is 5");
    }

    @Test
    void refusesSchemasNestedTooDeep() {
        String deep = "{\"items\": ".repeat(17) + "{}" + "}".repeat(17);

        assertThatThrownBy(() -> TokenGrammar.jsonSchema(deep, VOCABULARY, GrammarLimits.DEFAULT))
                .hasMessageStartingWith("json_schema: schemas nested deeper than 16 levels at /items/items");
    }

    @Test
    void refusesASchemaTooComplexForTheLimits() {
        Map<String, Object> properties = new LinkedHashMap<>();
        for (int i = 0; i < 40; i++) {
            properties.put("p" + i, Map.of("type", "string", "maxLength", 1000));
        }
        String schema = JSON.writeValueAsString(Map.of("type", "object", "properties", properties));

        assertThatThrownBy(() -> TokenGrammar.jsonSchema(schema, VOCABULARY, GrammarLimits.DEFAULT))
                .hasMessageStartingWith("grammar too complex");
    }
}
