package dev.folio.chat;

import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.tree.Node;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

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

    private static final String PLAY_SCRIPT_RESOURCE = "/dev/folio/chat/play-script.jinja";

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
        Node tree = JinjavaEngine.parse(source, false, parseErrors::add);
        List<String> problems = TemplateSyntaxCheck.problems(tree, parseErrors);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(TemplateProblems.summarize("Chat template syntax error", problems));
        }
        Node trimmedTree = JinjavaEngine.parse(source, true, error -> {});
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
     *                                  an error in an expression, a bound of {@link TemplateLimits#DEFAULT} crossed)
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, String> speakers) {
        return render(messages, addGenerationPrompt, speakers, TemplateLimits.DEFAULT);
    }

    /**
     * As {@link #render(List, boolean, Map)}, within {@code limits}: over the loop budget, the render time, the
     * string length or the output size, rendering stops and the exception names the bound.
     *
     * @throws TemplateBoundsException if a bound was crossed
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, String> speakers, TemplateLimits limits) {
        Rendered rendered = attempt(messages, addGenerationPrompt, speakers, limits);
        if (rendered.raised() != null) {
            throw new IllegalArgumentException(rendered.raised());
        }
        return rendered.output();
    }

    /** The prompt, or the message the template refused the conversation with (raise_exception). */
    private record Rendered(String output, String raised) {}

    private Rendered attempt(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, String> speakers, TemplateLimits limits) {
        Map<String, Object> bindings = new LinkedHashMap<>();
        bindings.put("messages", templateMessages(messages));
        bindings.put("add_generation_prompt", addGenerationPrompt);
        bindings.put("speakers", speakers == null ? Map.of() : new LinkedHashMap<>(speakers));

        RenderBudget.Spent<RenderResult> spent = JinjavaEngine.render(source, bindings, limits);
        if (spent.problem().isPresent()) {
            // what else failed is a consequence: the budget stopped the loops and nodes
            throw new TemplateBoundsException("Chat template refused: " + spent.problem().get());
        }
        RenderResult result = spent.result();
        Optional<String> raised = JinjavaEngine.raisedMessage(result.getErrors());
        if (raised.isPresent()) {
            return new Rendered(null, raised.get());
        }
        Optional<String> overLimit = TemplateProblems.overLimit(result, limits);
        if (overLimit.isPresent()) {
            throw new TemplateBoundsException("Chat template refused: " + overLimit.get());
        }
        List<String> problems = TemplateProblems.ofRender(result, lines);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(TemplateProblems.summarize("Chat template failed to render", problems));
        }
        String output = result.getOutput();
        // Jinjava enforces the bound as it renders; this only guards against a path that forgets to
        if (output.getBytes(StandardCharsets.UTF_8).length > limits.maxOutputBytes()) {
            throw new TemplateBoundsException("Chat template refused: " + TemplateProblems.outputTooBig(limits));
        }
        return new Rendered(output, null);
    }

    /**
     * Renders a short sample conversation within {@code limits}, so a template that cannot stay within them, or that
     * fails to render at all (an unknown filter, a method it may not call), is refused when it is set, not on every
     * request. A template that refuses the sample itself ({@code raise_exception}) is not: it may accept the
     * conversations it is meant for.
     *
     * @throws TemplateBoundsException if rendering the sample crossed a bound
     * @throws IllegalArgumentException if it failed otherwise, saying what failed
     */
    public void check(TemplateLimits limits, Map<String, String> speakers) {
        List<ChatMessage> sample = List.of(new ChatMessage("system", null, "A street in Verona."),
                new ChatMessage("user", null, "Good morrow."), new ChatMessage("assistant", null, "Good morrow, sir."),
                new ChatMessage("user", null, "What news?"));
        attempt(sample, true, speakers, limits);
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

    /** Holds the default template, so its resource is read and compiled on first use of {@link #playScript}. */
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
}
