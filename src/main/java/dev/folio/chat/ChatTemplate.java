package dev.folio.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.ExtendedSyntaxBuilder;
import com.hubspot.jinjava.el.ext.ExtendedParser;
import com.hubspot.jinjava.interpret.AutoCloseableSupplier.AutoCloseableImpl;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.interpret.TemplateError.ErrorReason;
import com.hubspot.jinjava.interpret.TemplateError.ErrorType;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.loader.ResourceLocator;
import com.hubspot.jinjava.loader.ResourceNotFoundException;
import com.hubspot.jinjava.tree.ExpressionNode;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;
import com.hubspot.jinjava.tree.parse.ExpressionToken;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import jinjava.de.odysseus.el.tree.IdentifierNode;
import jinjava.de.odysseus.el.tree.Tree;
import jinjava.de.odysseus.el.tree.TreeBuilderException;
import jinjava.de.odysseus.el.tree.impl.Builder;

/**
 * A Hugging Face-style chat template: Jinja source that turns a conversation into the prompt text a
 * model continues. Rendered by Jinjava, configured to behave like the Jinja2 environment Hugging Face
 * uses ({@code trim_blocks}, {@code lstrip_blocks}, {@code {{- -}}} whitespace control, a
 * {@code raise_exception(message)} function) and sandboxed: a template cannot read files or other
 * templates, message contents are never interpreted as template code, and the output is bounded.
 *
 * <p>Immutable and thread-safe.
 */
public final class ChatTemplate {

    /** Largest rendered prompt, in UTF-8 bytes (the unit Jinjava counts); beyond, rendering fails. */
    static final long MAX_OUTPUT_BYTES = 1_000_000;

    private static final String PLAY_SCRIPT_RESOURCE = "/dev/folio/chat/play-script.jinja";

    private static final Jinjava ENGINE = Engine.create();

    private final String source;
    private final SourceLines lines;

    private ChatTemplate(String source, SourceLines lines) {
        this.source = source;
        this.lines = lines;
    }

    /**
     * Compiles a Hugging Face-style chat template (Jinja source). The tag structure, every
     * {@code {{ }}} expression, {@code if}/{@code elif} conditions and filter and test names are checked
     * now; what Jinjava only parses while rendering (a {@code for} or {@code set} clause) fails
     * {@link #render} instead.
     *
     * @throws IllegalArgumentException if the template has a syntax error; the message says what and on which line
     */
    public static ChatTemplate of(String source) {
        Objects.requireNonNull(source, "source");
        List<TemplateError> parseErrors = new ArrayList<>();
        Node tree = Engine.parse(source, false, parseErrors::add);
        List<String> problems = SyntaxCheck.problems(tree, parseErrors);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(Problems.summarize("Chat template syntax error", problems));
        }
        Node trimmedTree = Engine.parse(source, true, error -> {});
        return new ChatTemplate(source, SourceLines.of(trimmedTree, tree));
    }

    /**
     * The default template for models trained on plays (classpath resource
     * {@code /dev/folio/chat/play-script.jinja}): each message is a speech {@code NAME:\n<content>\n\n},
     * a system message is a stage direction {@code <content>\n\n}.
     */
    public static ChatTemplate playScript() {
        return PlayScript.TEMPLATE;
    }

    /** The Jinja source this template was compiled from. */
    public String source() {
        return source;
    }

    /**
     * Renders the conversation into a prompt. The template sees {@code messages} (maps with
     * {@code role}, {@code content} and, when set, {@code name}), {@code add_generation_prompt},
     * {@code speakers} (role to default speaker name, e.g. {@code {"user": "ROMEO", "assistant": "JULIET"}})
     * and the function {@code raise_exception(message)}.
     *
     * @param messages            the conversation, oldest first
     * @param addGenerationPrompt whether to end with the opening of the assistant's next message
     * @param speakers            default speaker name per role; may be null (no defaults)
     * @return the prompt text
     * @throws IllegalArgumentException with the template's own message if it calls {@code raise_exception},
     *                                  or with a plain description of what failed otherwise (an unknown filter,
     *                                  an error in an expression, output over {@value #MAX_OUTPUT_BYTES} bytes)
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, String> speakers) {
        Map<String, Object> bindings = new LinkedHashMap<>();
        bindings.put("messages", templateMessages(messages));
        bindings.put("add_generation_prompt", addGenerationPrompt);
        bindings.put("speakers", speakers == null ? Map.of() : new LinkedHashMap<>(speakers));

        RenderResult result = ENGINE.renderForResult(source, bindings);
        Optional<String> raised = Engine.raisedMessage(result.getErrors());
        if (raised.isPresent()) {
            throw new IllegalArgumentException(raised.get());
        }
        List<String> problems = Problems.ofRender(result, lines);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(Problems.summarize("Chat template failed to render", problems));
        }
        String output = result.getOutput();
        // Jinjava enforces the bound as it renders; this only guards against a path that forgets to
        if (output.getBytes(StandardCharsets.UTF_8).length > MAX_OUTPUT_BYTES) {
            throw new IllegalArgumentException(Problems.outputTooBig());
        }
        return output;
    }

    @Override
    public String toString() {
        return "ChatTemplate[" + source.length() + " characters]";
    }

    /** The messages as Hugging Face templates expect them: maps, with no name key when there is no name. */
    private static List<Map<String, Object>> templateMessages(List<ChatMessage> messages) {
        Objects.requireNonNull(messages, "messages");
        List<Map<String, Object>> templateMessages = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage message = messages.get(i);
            if (message == null) {
                throw new IllegalArgumentException("message " + (i + 1) + " is missing");
            }
            if (message.role() == null || message.role().isBlank()) {
                throw new IllegalArgumentException("message " + (i + 1) + " has no role");
            }
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("role", message.role());
            if (message.name() != null) {
                map.put("name", message.name());
            }
            map.put("content", message.content() == null ? "" : message.content());
            templateMessages.add(map);
        }
        return templateMessages;
    }

    private static final class PlayScript {
        static final ChatTemplate TEMPLATE = of(readResource(PLAY_SCRIPT_RESOURCE));

        private static String readResource(String name) {
            try (InputStream in = ChatTemplate.class.getResourceAsStream(name)) {
                if (in == null) {
                    throw new IllegalStateException("missing classpath resource " + name);
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read classpath resource " + name, e);
            }
        }
    }

    /** The sandboxed Jinjava every template renders with. */
    private static final class Engine {

        /** The tags that load other templates; all of them read through the resource locator. */
        static final Set<String> TEMPLATE_LOADING_TAGS = Set.of("include", "import", "from", "extends");

        static Jinjava create() {
            Jinjava jinjava = new Jinjava(config(true));
            // the default locator reads the classpath; the tags that use it are disabled, this is the backstop
            jinjava.setResourceLocator(new NoResources());
            jinjava.registerFunction(
                    new ELFunctionDefinition("", "raise_exception", Engine.class, "raiseException", String.class));
            return jinjava;
        }

        static JinjavaConfig config(boolean trimBlocks) {
            LegacyOverrides jinja2Semantics = LegacyOverrides.newBuilder()
                    .withUseTrimmingForNotesAndExpressions(true) // without it {{- x -}} trims nothing
                    .withParseWhitespaceControlStrictly(true) // only "{{-" trims, {{ -1 }} stays a number
                    .withUseNaturalOperatorPrecedence(true)
                    .withIterateOverMapKeys(true)
                    .withEvaluateMapKeys(true)
                    .withUsePyishObjectMapper(true) // prints {'a': 1} and ['x'] as Python does
                    .withKeepNullableLoopValues(true)
                    .build();
            return JinjavaConfig.newBuilder()
                    // Hugging Face renders chat templates with trim_blocks and lstrip_blocks
                    .withTrimBlocks(trimBlocks)
                    .withLstripBlocks(trimBlocks)
                    .withLegacyOverrides(jinja2Semantics)
                    // on by default: it would render a message saying "{{ ... }}" as template code
                    .withNestedInterpretationEnabled(false)
                    .withMaxOutputSize(MAX_OUTPUT_BYTES)
                    .withDisabled(Map.of(Context.Library.TAG, TEMPLATE_LOADING_TAGS))
                    .build();
        }

        /**
         * Parses the tag structure (Jinjava parses expressions only while rendering). Without trimming,
         * the line numbers are right: Jinjava 2.8.2 does not count the newline trim_blocks removes.
         */
        @SuppressWarnings("try") // the resource only scopes the current interpreter
        static Node parse(String source, boolean trimBlocks, Consumer<TemplateError> errors) {
            JinjavaInterpreter interpreter =
                    new JinjavaInterpreter(ENGINE, ENGINE.getGlobalContextCopy(), config(trimBlocks));
            // the parser reads its whitespace settings from the current interpreter
            try (AutoCloseableImpl<JinjavaInterpreter> current = JinjavaInterpreter.closeablePushCurrent(interpreter).get()) {
                Node root = interpreter.parse(source);
                interpreter.getErrors().forEach(errors);
                return root;
            }
        }

        /** Bound to {@code raise_exception} (Jinjava makes it accessible). */
        @SuppressWarnings("unused")
        private static String raiseException(String message) {
            throw new RaisedByTemplate(
                    message == null || message.isBlank() ? "the chat template refused the conversation" : message);
        }

        static Optional<String> raisedMessage(List<TemplateError> errors) {
            for (TemplateError error : errors) {
                for (Throwable cause = error.getException(); cause != null; cause = cause.getCause()) {
                    if (cause instanceof RaisedByTemplate) {
                        return Optional.of(cause.getMessage());
                    }
                }
            }
            return Optional.empty();
        }

        /** What {@code raise_exception(message)} throws; Jinjava records it as an error and renders on. */
        private static final class RaisedByTemplate extends RuntimeException {
            private static final long serialVersionUID = 1L;

            RaisedByTemplate(String message) {
                super(message, null, false, false);
            }
        }

        /** Refuses every template a template asks for. */
        private static final class NoResources implements ResourceLocator {
            @Override
            public String getString(String fullName, Charset encoding, JinjavaInterpreter interpreter)
                    throws IOException {
                throw new ResourceNotFoundException("chat templates cannot load other templates or files: " + fullName);
            }
        }
    }

    /** Finds, before any rendering, the syntax errors Jinjava would only report while rendering. */
    private static final class SyntaxCheck {

        /** Tags whose helper text is one plain expression. */
        private static final Set<String> CONDITION_TAGS = Set.of("if", "elif", "unless");

        static List<String> problems(Node tree, List<TemplateError> parseErrors) {
            List<String> problems = new ArrayList<>();
            for (TemplateError error : parseErrors) {
                // an unclosed "{{" or a stray end tag is only a warning in Jinjava; Jinja2 refuses both
                if (error.getSeverity() == ErrorType.FATAL || error.getReason() == ErrorReason.SYNTAX_ERROR) {
                    problems.add(Problems.describe(error, error.getLineno()));
                }
            }
            check(tree, problems);
            return problems;
        }

        private static void check(Node node, List<String> problems) {
            if (node instanceof TagNode tag && Engine.TEMPLATE_LOADING_TAGS.contains(tag.getName())) {
                problems.add(Problems.atLine(node.getLineNumber(),
                        "'" + tag.getName() + "' is not allowed: chat templates cannot load other templates or files"));
            }
            String expression = expressionOf(node);
            if (expression != null && expression.isBlank() && node instanceof TagNode tag) {
                problems.add(Problems.atLine(node.getLineNumber(), "'" + tag.getName() + "' needs a condition"));
            } else if (expression != null && !expression.isBlank()) {
                checkExpression(expression.trim(), node.getLineNumber(), problems);
            }
            node.getChildren().forEach(child -> check(child, problems));
        }

        private static String expressionOf(Node node) {
            if (node instanceof ExpressionNode && node.getMaster() instanceof ExpressionToken token) {
                return token.getExpr();
            }
            if (node instanceof TagNode tag && CONDITION_TAGS.contains(tag.getName())) {
                return tag.getHelpers();
            }
            return null;
        }

        /** Parses as Jinjava's expression factory does (its default profile has these two features). */
        private static void checkExpression(String expression, int line, List<String> problems) {
            String quoted = Problems.quote(expression);
            try {
                Tree tree = new ExtendedSyntaxBuilder(Builder.Feature.METHOD_INVOCATIONS, Builder.Feature.VARARGS)
                        .build("#{" + expression + "}");
                Context builtIns = ENGINE.getGlobalContext();
                for (IdentifierNode identifier : tree.getIdentifierNodes()) {
                    String filter = unprefixed(identifier.getName(), ExtendedParser.FILTER_PREFIX);
                    if (filter != null && builtIns.getFilter(filter) == null) {
                        problems.add(Problems.atLine(line, "unknown filter '" + filter + "' in " + quoted));
                    }
                    String test = unprefixed(identifier.getName(), ExtendedParser.EXPTEST_PREFIX);
                    if (test != null && builtIns.getExpTest(test) == null) {
                        problems.add(Problems.atLine(line, "unknown test '" + test + "' in " + quoted));
                    }
                }
            } catch (TreeBuilderException e) {
                problems.add(Problems.atLine(line, describe(e, expression, quoted)));
            }
        }

        private static String describe(TreeBuilderException e, String expression, String quoted) {
            String encountered = Objects.toString(e.getEncountered(), "");
            // tokens come quoted ('}') or bracketed (<IDENTIFIER>); anything else names a lexical error
            boolean lexical = !encountered.startsWith("'") && !encountered.startsWith("<");
            // "#{" precedes the expression, so its end is at length + 2
            boolean atEnd = e.getPosition() >= expression.length() + 2;
            // a list of every token that could have come says nothing useful
            String expected = e.getExpected() != null && !e.getExpected().contains("|") ? ", expected " + e.getExpected() : "";
            if (lexical) {
                return encountered + " in expression " + quoted + expected;
            }
            if (atEnd) {
                return "incomplete expression " + quoted + expected;
            }
            return "unexpected " + encountered + " at character " + (e.getPosition() - 1) + " of expression " + quoted
                    + expected;
        }
    }

    /**
     * The source line of a render error. Jinjava 2.8.2 does not count the newline trim_blocks removes
     * after a block tag, so while rendering its line numbers drift low. This matches each tag and
     * expression of the rendered (trimmed) parse to the same one in an untrimmed parse, whose lines are right.
     */
    private static final class SourceLines {

        private record Located(int reportedLine, int sourceLine, List<String> texts) {}

        private final List<Located> located;

        private SourceLines(List<Located> located) {
            this.located = located;
        }

        static SourceLines of(Node trimmedTree, Node untrimmedTree) {
            List<Node> trimmed = codeNodes(trimmedTree, new ArrayList<>());
            List<Node> untrimmed = codeNodes(untrimmedTree, new ArrayList<>());
            List<Located> located = new ArrayList<>();
            // both parses hold the same tags and expressions in the same order; if not, give no lines
            if (trimmed.size() == untrimmed.size()) {
                for (int i = 0; i < trimmed.size(); i++) {
                    Node node = untrimmed.get(i);
                    located.add(new Located(trimmed.get(i).getLineNumber(), node.getLineNumber(), texts(node)));
                }
            }
            return new SourceLines(located);
        }

        /**
         * The true line of an error Jinjava reported on {@code reportedLine} about {@code field} (the
         * expression or tag it names), or empty if that is ambiguous.
         */
        OptionalInt sourceLine(int reportedLine, String field) {
            List<Located> candidates = located.stream().filter(l -> l.reportedLine() == reportedLine).toList();
            String code = field == null ? "" : field.strip().replaceAll("^\\[\\s*(.*?)\\s*]$", "$1");
            if (distinctLines(candidates) > 1 && !code.isEmpty()) {
                candidates = candidates.stream().filter(l -> l.texts().stream().anyMatch(t -> t.contains(code))).toList();
            }
            return distinctLines(candidates) == 1 ? OptionalInt.of(candidates.get(0).sourceLine()) : OptionalInt.empty();
        }

        private static long distinctLines(List<Located> candidates) {
            return candidates.stream().mapToInt(Located::sourceLine).distinct().count();
        }

        private static List<Node> codeNodes(Node node, List<Node> found) {
            if (node instanceof TagNode || node instanceof ExpressionNode) {
                found.add(node);
            }
            node.getChildren().forEach(child -> codeNodes(child, found));
            return found;
        }

        private static List<String> texts(Node node) {
            List<String> texts = new ArrayList<>();
            if (node.getMaster() != null) {
                texts.add(node.getMaster().getImage());
            }
            if (node instanceof TagNode tag && tag.getHelpers() != null) {
                texts.add(tag.getHelpers());
            }
            return texts;
        }
    }

    /** Jinjava's errors in plain words. */
    private static final class Problems {

        private static final int MAX_LISTED = 5;
        private static final int MAX_QUOTED = 80;
        private static final int MAX_MESSAGE = 300;

        static List<String> ofRender(RenderResult result, SourceLines lines) {
            List<String> problems = new ArrayList<>();
            for (TemplateError error : result.getErrors()) {
                if (error.getSeverity() == ErrorType.FATAL) {
                    problems.add(error.getReason() == ErrorReason.OUTPUT_TOO_BIG
                            ? outputTooBig()
                            : describe(error, lines.sourceLine(error.getLineno(), error.getFieldName()).orElse(0)));
                }
            }
            // Jinjava applies an unknown filter or test as a silent no-op, only recording that it looked for it
            Context context = result.getContext();
            if (context != null) {
                for (String value : context.getResolvedValues()) {
                    String filter = unprefixed(value, ExtendedParser.FILTER_PREFIX);
                    if (filter != null && context.getFilter(filter) == null) {
                        problems.add("unknown filter '" + filter + "'");
                    }
                    String test = unprefixed(value, ExtendedParser.EXPTEST_PREFIX);
                    if (test != null && context.getExpTest(test) == null) {
                        problems.add("unknown test '" + test + "'");
                    }
                }
            }
            return problems;
        }

        static String outputTooBig() {
            return "the rendered prompt is larger than " + MAX_OUTPUT_BYTES + " bytes";
        }

        static String summarize(String summary, List<String> problems) {
            List<String> distinct = problems.stream().distinct().toList();
            String listed = distinct.stream().limit(MAX_LISTED).collect(Collectors.joining("; "));
            int more = distinct.size() - MAX_LISTED;
            return summary + ": " + listed + (more > 0 ? "; and " + more + " more" : "");
        }

        /** One error: its line (if known), message and the expression it is about, without exception names. */
        static String describe(TemplateError error, int line) {
            String message = switch (Objects.toString(error.getMessage(), "")) {
                case "Unclosed token" -> "a '{{' or '{%' is never closed";
                case "Unclosed comment" -> "a '{#' comment is never closed";
                case "Missing start tag" -> "'" + error.getFieldName() + "' has no matching start tag";
                default -> plain(error.getMessage());
            };
            String field = Objects.toString(error.getFieldName(), "").strip();
            if (!field.isEmpty() && !message.contains(field) && !field.startsWith("{") && !field.equals("token")
                    && !field.equals("comment")) {
                message += " in " + quote(field);
            }
            return atLine(line, message);
        }

        static String atLine(int line, String message) {
            return line > 0 ? "line " + line + ": " + message : message;
        }

        static String quote(String expression) {
            return "'" + (expression.length() > MAX_QUOTED ? expression.substring(0, MAX_QUOTED) + "..." : expression) + "'";
        }

        private static String plain(String message) {
            if (message == null || message.isBlank()) {
                return "unknown error";
            }
            String plain = message.strip()
                    .replaceFirst("^(\\w+\\.)*\\w+(Exception|Error): ", "")
                    .replaceAll("\\s*\\R\\s*", " ")
                    // JUEL lists every token that could have come, which says nothing useful
                    .replaceAll(", expected [^,;\\s]*\\|[^,;\\s]*", "");
            return plain.length() > MAX_MESSAGE ? plain.substring(0, MAX_MESSAGE) + "..." : plain;
        }
    }

    private static String unprefixed(String name, String prefix) {
        return name != null && name.startsWith(prefix) && name.length() > prefix.length()
                ? name.substring(prefix.length())
                : null;
    }
}
