package dev.folio.api.chat;

import dev.folio.FolioProperties;
import dev.folio.api.GenerationSpec;
import dev.folio.api.InvalidRequestException;
import dev.folio.chat.ChatMessage;
import dev.folio.api.WorkPool;
import dev.folio.chat.ChatTemplate;
import dev.folio.chat.TemplateLimits;
import dev.folio.chat.TypographicNormalizer;
import dev.folio.store.LoadedModel;
import dev.folio.store.ModelMetadata;
import dev.folio.tokenizer.CharTokenizer;
import jakarta.annotation.PreDestroy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * Turns a chat request's messages into the model's prompt: checks each message, normalises typographic characters the
 * vocabulary lacks, refuses the characters still outside it (naming the message), and renders the model version's
 * chat template (the play-script default for versions that have none).
 */
@Component
public class ChatPrompts {

    /** Where a play-script reply ends: the blank line after a speech. */
    public static final List<String> END_OF_SPEECH = List.of("\n\n");

    private static final int MAX_CACHED_TEMPLATES = 32;

    /** What a user can do when the template's or the speakers' characters are not in the model's vocabulary. */
    static final String VOCABULARY_REMEDY = "to chat with this model, train it with --chat-template FILE (a template written in "
            + "characters its corpus holds, published with the model), set one with PUT /admin/models/{version}/chat-template, "
            + "or set folio.chat.speakers.user and folio.chat.speakers.assistant to names its vocabulary can spell";

    private final Map<String, String> speakers;
    private final int maxInputLength;
    private final Map<String, ChatTemplate> compiled = new ConcurrentHashMap<>();
    private final TemplateLimits limits;
    /** Renders are admitted before they run (429 beyond the queue) and take at most this pool's threads' cores. */
    private final WorkPool renderers;

    public ChatPrompts(FolioProperties properties) {
        this.speakers = properties.chat().speakers().byRole();
        this.maxInputLength = properties.generation().maxInputLength();
        this.limits = properties.chat().templateLimits();
        this.renderers = new WorkPool("chat-template", properties.chat().renderThreads(), properties.chat().maxQueuedRenders(),
                "chat templates are already waiting to render");
    }

    /**
     * Renders a sample conversation with {@code template} within the bounds every request's render is held to, on the
     * render pool: a template that cannot stay within them, or fails to render, is refused when it is set, not on every
     * request ({@link ChatTemplate#check}).
     *
     * @throws IllegalArgumentException saying what failed or naming the bound
     */
    public void check(ChatTemplate template) {
        WorkPool.await(renderers.submit(() -> {
            template.check(limits, speakers);
            return template;
        }));
    }

    @PreDestroy
    void close() {
        renderers.close();
    }

    /** The template source and reply stop a version carries (or the default). */
    public static ModelMetadata.Chat settings(ModelMetadata metadata) {
        return metadata.chat() != null ? metadata.chat() : new ModelMetadata.Chat(ChatTemplate.playScript().source(), END_OF_SPEECH);
    }

    public Map<String, String> speakers() {
        return speakers;
    }

    public GenerationSpec.Prompt render(LoadedModel model, List<ChatRequest.Message> messages) {
        if (messages == null || messages.isEmpty()) {
            throw new InvalidRequestException("messages must hold at least one message", "messages");
        }
        CharTokenizer tokenizer = model.tokenizer();
        TypographicNormalizer normalizer = new TypographicNormalizer(tokenizer::contains);
        List<ChatMessage> conversation = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            conversation.add(message(messages.get(i), "messages[" + i + "]", normalizer, tokenizer));
        }
        ModelMetadata.Chat chat = settings(model.metadata());
        String text = InvalidRequestException.whenRefused("messages", "messages: the model's chat template refused the conversation: ",
                () -> WorkPool.await(renderers.submit(() -> template(chat.template()).render(conversation, true, speakers, limits))));
        if (text.length() > maxInputLength) {
            throw new InvalidRequestException("messages: the conversation renders to " + text.length() + " characters; at most "
                    + maxInputLength, "messages");
        }
        InvalidRequestException.whenRefused("messages", "messages: the model's chat template or speaker names (folio.chat.speakers) put ",
                "; " + VOCABULARY_REMEDY, () -> tokenizer.encode(text));
        return new GenerationSpec.Prompt(text, chat.stop());
    }

    private ChatMessage message(ChatRequest.Message m, String path, TypographicNormalizer normalizer, CharTokenizer tokenizer) {
        if (m == null) {
            throw new InvalidRequestException(path + " must be an object with role and content", path);
        }
        String role = role(m.role(), path);
        if (m.toolCalls() != null && !m.toolCalls().isNull() && !m.toolCalls().isEmpty()) {
            throw new InvalidRequestException(path + ".tool_calls: this model has no tool use", path + ".tool_calls");
        }
        String content = normalizer.normalize(content(m.content(), path + ".content"));
        checkVocabulary(content, path + ".content", tokenizer);
        String name = m.name() == null || m.name().isBlank() ? null : normalizer.normalize(m.name().strip());
        if (name != null) {
            checkVocabulary(name, path + ".name", tokenizer);
        }
        return new ChatMessage(role, name, content);
    }

    private static String role(String role, String path) {
        if (role == null) {
            throw new InvalidRequestException(path + ".role is required: system, user or assistant", path + ".role");
        }
        return switch (role) {
            case "system", "developer" -> "system"; // OpenAI's newer name for the system message
            case "user", "assistant" -> role;
            case "tool", "function" -> throw new InvalidRequestException(path + ".role '" + role + "' answers a tool call; this model has no tool use",
                    path + ".role");
            default -> throw new InvalidRequestException(path + ".role must be system, user or assistant; given: '" + role + "'", path + ".role");
        };
    }

    /** A string, or text parts joined in order. */
    private static String content(JsonNode content, String path) {
        if (content == null || content.isNull()) {
            throw new InvalidRequestException(path + " is required", path);
        }
        if (content.isString()) {
            return content.asString();
        }
        if (!content.isArray()) {
            throw new InvalidRequestException(path + " must be a string or an array of text parts", path);
        }
        StringBuilder text = new StringBuilder();
        for (int j = 0; j < content.size(); j++) {
            JsonNode part = content.get(j);
            String type = part.path("type").asString("");
            if (!"text".equals(type)) {
                throw new InvalidRequestException(path + "[" + j + "]: this model reads text only; given a part of type '" + type + "'",
                        path + "[" + j + "]");
            }
            if (!part.path("text").isString()) {
                throw new InvalidRequestException(path + "[" + j + "].text must be a string", path + "[" + j + "].text");
            }
            text.append(part.get("text").asString());
        }
        return text.toString();
    }

    private static void checkVocabulary(String text, String path, CharTokenizer tokenizer) {
        InvalidRequestException.whenRefused(path, path + ": ", " (after normalising typographic characters)", () -> tokenizer.encode(text));
    }

    private ChatTemplate template(String source) {
        ChatTemplate template = compiled.get(source);
        if (template == null) {
            template = ChatTemplate.of(source);
            if (compiled.size() >= MAX_CACHED_TEMPLATES) {
                compiled.clear(); // a handful of versions at most; never grows without bound
            }
            compiled.put(source, template);
        }
        return template;
    }
}
