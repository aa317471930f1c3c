package dev.folio.interop;

import dev.folio.chat.ChatTemplate;
import dev.folio.store.ModelMetadata;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** A version's chat template as Hugging Face keeps it ({@code chat_template} in tokenizer_config.json), and back. */
final class ChatTemplates {

    /** Where the stop sequences go in tokenizer_config.json; Hugging Face has no key of its own for them. */
    static final String STOP_KEY = "folio_chat_stop";
    private static final String SPEAKERS_START = "{#- folio: default speakers -#}";
    private static final String SPEAKERS_END = "{#- folio: end -#}";

    private ChatTemplates() {}

    /** The version's chat settings; a version without them has the play-script template, which a blank line ends. */
    static ModelMetadata.Chat settings(ModelMetadata metadata) {
        return metadata.chat() != null ? metadata.chat() : new ModelMetadata.Chat(ChatTemplate.playScript().source(), List.of("\n\n"));
    }

    /**
     * The template with Folio's default speakers set when the caller gives none: Folio passes {@code speakers} to every render,
     * transformers' {@code apply_chat_template} does not.
     */
    static String withDefaultSpeakers(String template, Map<String, String> speakers) {
        String dict = speakers.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> quote(e.getKey()) + ": " + quote(e.getValue())).collect(Collectors.joining(", ", "{", "}"));
        return SPEAKERS_START + "{%- if speakers is not defined -%}{%- set speakers = " + dict + " -%}{%- endif -%}" + SPEAKERS_END + template;
    }

    /** The template as Folio keeps it: without the default speakers {@link #withDefaultSpeakers} put in front. */
    static String withoutDefaultSpeakers(String template) {
        int end = template.indexOf(SPEAKERS_END);
        return template.startsWith(SPEAKERS_START) && end > 0 ? template.substring(end + SPEAKERS_END.length()) : template;
    }

    private static String quote(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
