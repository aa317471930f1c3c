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
import java.util.Set;
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

    /** The tags that load other templates; all of them would read through the resource locator. */
    private static final Set<String> TEMPLATE_LOADING_TAGS = Set.of("include", "import", "from", "extends");

    /** Tags whose helper text is one plain expression, so it can be syntax-checked before rendering. */
    private static final Set<String> CONDITION_TAGS = Set.of("if", "elif", "unless");

    private static final int MAX_LISTED_PROBLEMS = 5;
    private static final int MAX_QUOTED_EXPRESSION = 80;

    private static final Jinjava ENGINE = sandboxedEngine();

    private final String source;

    private ChatTemplate(String source) {
        this.source = source;
    }

    /**
     * Compiles a Hugging Face-style chat template (Jinja source). Structure, {@code {{ }}} expressions,
     * {@code if}/{@code elif} conditions and filter names are checked now; what only shows while
     * rendering (say, a broken {@code for} clause) fails {@link #render} instead.
     *
     * @throws IllegalArgumentException if the template has a syntax error; the message says what and on which line
     */
    public static ChatTemplate of(String source) {
        Objects.requireNonNull(source, "source");
        List<String> problems = syntaxProblems(source);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(summarize("Chat template syntax error", problems));
        }
        return new ChatTemplate(source);
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
        Optional<String> raised = raisedMessage(result.getErrors());
        if (raised.isPresent()) {
            throw new IllegalArgumentException(raised.get());
        }
        List<String> problems = renderProblems(result);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(summarize("Chat template failed to render", problems));
        }
        String output = result.getOutput();
        // Jinjava enforces the bound as it renders; this only guards against a path that forgets to
        if (output.getBytes(StandardCharsets.UTF_8).length > MAX_OUTPUT_BYTES) {
            throw new IllegalArgumentException(outputTooBig());
        }
        return output;
    }

    @Override
    public String toString() {
        return "ChatTemplate[" + source.length() + " characters]";
    }

    // --- the engine -------------------------------------------------------------------------------

    private static Jinjava sandboxedEngine() {
        LegacyOverrides jinja2Semantics = LegacyOverrides.newBuilder()
                .withUseTrimmingForNotesAndExpressions(true) // without it {{- x -}} trims nothing
                .withParseWhitespaceControlStrictly(true) // only "{{-" trims, so {{ -1 }} stays a number
                .withUseNaturalOperatorPrecedence(true)
                .withIterateOverMapKeys(true)
                .withEvaluateMapKeys(true)
                .withUsePyishObjectMapper(true) // prints {'a': 1} and ['x'] as Python does
                .withKeepNullableLoopValues(true)
                .build();
        JinjavaConfig config = JinjavaConfig.newBuilder()
                // Hugging Face renders chat templates with trim_blocks and lstrip_blocks
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withLegacyOverrides(jinja2Semantics)
                // on by default: it would render a message saying "{{ ... }}" as template code
                .withNestedInterpretationEnabled(false)
                .withMaxOutputSize(MAX_OUTPUT_BYTES)
                .withDisabled(Map.of(Context.Library.TAG, TEMPLATE_LOADING_TAGS))
                .build();
        Jinjava jinjava = new Jinjava(config);
        // the default locator reads the classpath; the tags that use it are disabled, this is the backstop
        jinjava.setResourceLocator(new NoResources());
        jinjava.registerFunction(
                new ELFunctionDefinition("", "raise_exception", ChatTemplate.class, "raiseException", String.class));
        return jinjava;
    }

    /** Refuses every template a template asks for. */
    private static final class NoResources implements ResourceLocator {
        @Override
        public String getString(String fullName, Charset encoding, JinjavaInterpreter interpreter)
                throws IOException {
            throw new ResourceNotFoundException("chat templates cannot load other templates or files: " + fullName);
        }
    }

    /** What a template's {@code raise_exception(message)} throws; render turns it into its exception. */
    private static final class RaisedByTemplate extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RaisedByTemplate(String message) {
            super(message, null, false, false);
        }
    }

    /** Bound to {@code raise_exception} (Jinjava makes it accessible). */
    @SuppressWarnings("unused")
    private static String raiseException(String message) {
        throw new RaisedByTemplate(message == null || message.isBlank() ? "the chat template refused the conversation" : message);
    }

    private static final class PlayScript {
        static final ChatTemplate TEMPLATE = of(readResource(PLAY_SCRIPT_RESOURCE));
    }

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

    // --- bindings ---------------------------------------------------------------------------------

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

    // --- compile-time checks ----------------------------------------------------------------------

    /**
     * Jinjava's parser checks only the tag structure; expressions are first parsed while rendering.
     * This also parses every expression it can find, so a typo fails at compile time.
     */
    @SuppressWarnings("try") // the resource only scopes the current interpreter
    private static List<String> syntaxProblems(String source) {
        JinjavaInterpreter interpreter = ENGINE.newInterpreter();
        // the parser reads its whitespace and precedence settings from the current interpreter
        try (AutoCloseableImpl<JinjavaInterpreter> current = JinjavaInterpreter.closeablePushCurrent(interpreter).get()) {
            Node root = interpreter.parse(source);
            List<String> problems = new ArrayList<>();
            for (TemplateError error : interpreter.getErrors()) {
                // an unclosed "{{" or a stray end tag is only a warning in Jinjava, Jinja2 refuses both
                if (error.getSeverity() == ErrorType.FATAL || error.getReason() == ErrorReason.SYNTAX_ERROR) {
                    problems.add(describe(error));
                }
            }
            checkNodes(root, problems);
            return problems;
        }
    }

    private static void checkNodes(Node node, List<String> problems) {
        if (node instanceof TagNode tag && TEMPLATE_LOADING_TAGS.contains(tag.getName())) {
            problems.add(atLine(node.getLineNumber(),
                    "'" + tag.getName() + "' is not allowed: chat templates cannot load other templates or files"));
        }
        String expression = expressionOf(node);
        if (expression != null && !expression.isBlank()) {
            checkExpression(expression.trim(), node.getLineNumber(), problems);
        }
        for (Node child : node.getChildren()) {
            checkNodes(child, problems);
        }
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

    /** Parses as Jinjava's expression factory does (its default profile enables these two features). */
    private static void checkExpression(String expression, int line, List<String> problems) {
        String quoted = "'" + abbreviate(expression) + "'";
        try {
            Tree tree = new ExtendedSyntaxBuilder(Builder.Feature.METHOD_INVOCATIONS, Builder.Feature.VARARGS)
                    .build("#{" + expression + "}");
            Context builtIns = ENGINE.getGlobalContext();
            for (IdentifierNode identifier : tree.getIdentifierNodes()) {
                String filter = unprefixed(identifier.getName(), ExtendedParser.FILTER_PREFIX);
                if (filter != null && builtIns.getFilter(filter) == null) {
                    problems.add(atLine(line, "unknown filter '" + filter + "' in " + quoted));
                }
                String test = unprefixed(identifier.getName(), ExtendedParser.EXPTEST_PREFIX);
                if (test != null && builtIns.getExpTest(test) == null) {
                    problems.add(atLine(line, "unknown test '" + test + "' in " + quoted));
                }
            }
        } catch (TreeBuilderException e) {
            problems.add(atLine(line, describeParseError(e, expression, quoted)));
        }
    }

    private static String describeParseError(TreeBuilderException e, String expression, String quoted) {
        String encountered = Objects.toString(e.getEncountered(), "");
        // tokens come quoted ('}') or bracketed (<IDENTIFIER>); anything else describes a lexical error
        boolean lexical = !encountered.startsWith("'") && !encountered.startsWith("<");
        // "#{" precedes the expression, so its end is at length + 2
        boolean atEnd = e.getPosition() >= expression.length() + 2;
        // a long list of alternatives says nothing useful
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

    // --- render-time problems ---------------------------------------------------------------------

    private static Optional<String> raisedMessage(List<TemplateError> errors) {
        for (TemplateError error : errors) {
            for (Throwable cause = error.getException(); cause != null; cause = cause.getCause()) {
                if (cause instanceof RaisedByTemplate) {
                    return Optional.of(cause.getMessage());
                }
            }
        }
        return Optional.empty();
    }

    private static List<String> renderProblems(RenderResult result) {
        List<String> problems = new ArrayList<>();
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == ErrorType.FATAL) {
                problems.add(error.getReason() == ErrorReason.OUTPUT_TOO_BIG ? outputTooBig() : describe(error));
            }
        }
        // Jinjava applies an unknown filter or test as a silent no-op; it only records that it looked for it
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

    private static String outputTooBig() {
        return "the rendered prompt is larger than " + MAX_OUTPUT_BYTES + " bytes";
    }

    // --- messages ---------------------------------------------------------------------------------

    private static String summarize(String summary, List<String> problems) {
        String listed = problems.stream().distinct().limit(MAX_LISTED_PROBLEMS).collect(Collectors.joining("; "));
        long more = problems.stream().distinct().count() - MAX_LISTED_PROBLEMS;
        return summary + ": " + listed + (more > 0 ? "; and " + more + " more" : "");
    }

    /** One Jinjava error in plain words: its line and message, without exception class names. */
    private static String describe(TemplateError error) {
        String message = switch (Objects.toString(error.getMessage(), "")) {
            case "Unclosed token" -> "a '{{' or '{%' is never closed";
            case "Unclosed comment" -> "a '{#' comment is never closed";
            case "Missing start tag" -> "'" + error.getFieldName() + "' has no matching start tag";
            default -> plain(error.getMessage());
        };
        return atLine(error.getLineno(), message);
    }

    private static String plain(String message) {
        if (message == null || message.isBlank()) {
            return "unknown error";
        }
        String plain = message.strip()
                .replaceFirst("^(\\w+\\.)*\\w+(Exception|Error): ", "")
                .replaceAll("\\s*\\R\\s*", " ")
                // JUEL lists every token it would have accepted; that says nothing useful
                .replaceAll(", expected [^,;\\s]*\\|[^,;\\s]*", "");
        return plain.length() > 300 ? plain.substring(0, 300) + "..." : plain;
    }

    private static String atLine(int line, String message) {
        return line > 0 ? "line " + line + ": " + message : message;
    }

    private static String unprefixed(String name, String prefix) {
        return name != null && name.startsWith(prefix) && name.length() > prefix.length()
                ? name.substring(prefix.length())
                : null;
    }

    private static String abbreviate(String expression) {
        return expression.length() > MAX_QUOTED_EXPRESSION
                ? expression.substring(0, MAX_QUOTED_EXPRESSION) + "..."
                : expression;
    }
}
