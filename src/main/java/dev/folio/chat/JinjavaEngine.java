package dev.folio.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.AutoCloseableSupplier.AutoCloseableImpl;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.loader.ResourceLocator;
import com.hubspot.jinjava.loader.ResourceNotFoundException;
import com.hubspot.jinjava.tree.Node;
import java.io.IOException;
import java.nio.charset.Charset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** The sandboxed Jinjava every {@link ChatTemplate} renders with. */
final class JinjavaEngine {

    /** The most items a list or dict a template builds may hold. */
    private static final int MAX_COLLECTION_SIZE = 10_000;
    /** The most numbers one {@code range()} makes (Jinjava's default, stated). */
    private static final int MAX_RANGE = 1_000;
    /** How deeply tags may nest while rendering. */
    private static final int MAX_RENDER_DEPTH = 10;
    /** How deeply macros may call themselves. */
    private static final int MAX_MACRO_DEPTH = 20;

    /** The tags that load other templates; all of them read through the resource locator. */
    static final Set<String> TEMPLATE_LOADING_TAGS = Set.of("include", "import", "from", "extends");

    /**
     * Java methods a template may not call on its values: each builds a string or array of a size the template
     * chooses ({@code "a".repeat(1000000000)} is a gigabyte before any length check), or runs a regular expression
     * the template writes. {@code split} stays: Hugging Face templates use it, and its parts fit in the string.
     * Jinjava's filters ({@code replace}, {@code join}, {@code regex_replace}, ...) do the same work within
     * {@link TemplateLimits#maxStringLength()}.
     */
    static final Set<String> UNBOUNDED_METHODS = Set.of("repeat", "concat", "replace", "replaceAll", "replaceFirst", "matches",
            "splitWithDelimiters", "format", "formatted", "indent", "join", "toCharArray", "getBytes", "chars", "codePoints",
            "lines", "intern", "translateEscapes", "transform", "describeConstable", "resolveConstantDesc", "stripIndent");

    // after TEMPLATE_LOADING_TAGS: create() reads it while this class initializes
    private static final Jinjava JINJAVA = create();

    /** One Jinjava configuration per set of limits (a server has one; tests a few). */
    private static final Map<TemplateLimits, JinjavaConfig> CONFIGS = new ConcurrentHashMap<>();

    private JinjavaEngine() {}

    private static Jinjava create() {
        Jinjava jinjava = new Jinjava(config(true, TemplateLimits.DEFAULT));
        jinjava.getGlobalContext().registerTag(new BudgetedForTag()); // replaces Jinjava's own "for"
        for (Filter filter : List.copyOf(jinjava.getGlobalContext().getAllFilters())) {
            jinjava.getGlobalContext().registerFilter(new BoundedFilter(filter)); // replaces each by name
        }
        // the default locator reads the classpath; the tags that use it are disabled, this is the backstop
        jinjava.setResourceLocator(new NoResources());
        jinjava.registerFunction(
                new ELFunctionDefinition("", "raise_exception", JinjavaEngine.class, "raiseException", String.class));
        return jinjava;
    }

    private static JinjavaConfig config(boolean trimBlocks, TemplateLimits limits) {
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
                .withMaxOutputSize(limits.maxOutputBytes())
                .withMaxStringLength(limits.maxStringLength())
                .withMaxListSize(MAX_COLLECTION_SIZE)
                .withMaxMapSize(MAX_COLLECTION_SIZE)
                .withRangeLimit(MAX_RANGE)
                .withMaxRenderDepth(MAX_RENDER_DEPTH)
                .withMaxMacroRecursionDepth(MAX_MACRO_DEPTH)
                .withRestrictedMethods(UNBOUNDED_METHODS)
                // every node (text, expression, tag), nested or not, checks the render's budget before it renders
                .withNodePreProcessor((node, interpreter) -> {
                    RenderBudget budget = RenderBudget.current();
                    if (budget != null) {
                        budget.checkNode();
                    }
                })
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
                new JinjavaInterpreter(JINJAVA, JINJAVA.getGlobalContextCopy(), config(trimBlocks, TemplateLimits.DEFAULT));
        // the parser reads its whitespace settings from the current interpreter
        try (AutoCloseableImpl<JinjavaInterpreter> current = JinjavaInterpreter.closeablePushCurrent(interpreter).get()) {
            Node root = interpreter.parse(source);
            interpreter.getErrors().forEach(errors);
            return root;
        }
    }

    /** Renders within {@code limits}; the problem, if a budget ran out, says which. */
    static RenderBudget.Spent<RenderResult> render(String source, Map<String, Object> bindings, TemplateLimits limits) {
        JinjavaConfig config = CONFIGS.computeIfAbsent(limits, l -> config(true, l));
        return RenderBudget.run(limits, () -> JINJAVA.renderForResult(source, bindings, config));
    }

    /** The filters, tests and functions every template can use. */
    static Context builtIns() {
        return JINJAVA.getGlobalContext();
    }

    /**
     * The name after {@code prefix} in one of Jinjava's prefixed identifiers (a filter's or test's), or
     * null if {@code name} does not have that prefix.
     */
    static String unprefixed(String name, String prefix) {
        return name != null && name.startsWith(prefix) && name.length() > prefix.length()
                ? name.substring(prefix.length())
                : null;
    }

    /** Bound to {@code raise_exception} (Jinjava makes it accessible). */
    @SuppressWarnings("unused")
    private static String raiseException(String message) {
        throw new RaisedByTemplate(
                message == null || message.isBlank() ? "the chat template refused the conversation" : message);
    }

    /** The message of the first {@code raise_exception} call among {@code errors}, if any. */
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
