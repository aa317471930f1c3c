package dev.folio.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ChatTemplateTest {

    private static final Map<String, String> VERONA = Map.of("user", "ROMEO", "assistant", "JULIET");

    private static ChatMessage system(String content) {
        return new ChatMessage("system", null, content);
    }

    private static ChatMessage user(String content) {
        return new ChatMessage("user", null, content);
    }

    private static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", null, content);
    }

    private static ChatMessage named(String role, String name, String content) {
        return new ChatMessage(role, name, content);
    }

    @Nested
    class PlayScript {

        private final ChatTemplate play = ChatTemplate.playScript();

        @Test
        void systemIsAStageDirectionAndEachMessageASpeech() {
            String prompt = play.render(
                    List.of(system("A street in Verona."), user("Good morrow, fair maid."), assistant("Good morrow, sir.")),
                    true, VERONA);

            assertThat(prompt).isEqualTo(
                    "A street in Verona.\n\nROMEO:\nGood morrow, fair maid.\n\nJULIET:\nGood morrow, sir.\n\nJULIET:\n");
        }

        @Test
        void noGenerationPromptWhenNotAsked() {
            String prompt = play.render(List.of(user("Good morrow, fair maid."), assistant("Good morrow, sir.")),
                    false, VERONA);

            assertThat(prompt).isEqualTo("ROMEO:\nGood morrow, fair maid.\n\nJULIET:\nGood morrow, sir.\n\n");
        }

        @Test
        void theNameOverridesTheDefaultSpeaker() {
            String prompt = play.render(
                    List.of(named("user", "MERCUTIO", "Nay, gentle Romeo."), named("assistant", "  NURSE ", "Anon!")),
                    false, VERONA);

            assertThat(prompt).isEqualTo("MERCUTIO:\nNay, gentle Romeo.\n\nNURSE:\nAnon!\n\n");
        }

        @Test
        void aNameStaysOnItsLine() {
            assertThat(play.render(List.of(named("user", "LADY\n CAPULET", "What noise is here?")), false, VERONA))
                    .isEqualTo("LADY CAPULET:\nWhat noise is here?\n\n");
        }

        @Test
        void aBlankNameFallsBackToTheDefaultSpeaker() {
            assertThat(play.render(List.of(named("user", "  ", "Peace, peace!")), false, VERONA))
                    .isEqualTo("ROMEO:\nPeace, peace!\n\n");
        }

        @Test
        void theGenerationPromptGoesToTheLastNamedAssistant() {
            String prompt = play.render(
                    List.of(named("assistant", "NURSE", "Madam!"), user("Who calls?"), assistant("Your nurse.")),
                    true, VERONA);

            // the last assistant message has no name, so the prompt goes to the last one that had one
            assertThat(prompt).isEqualTo("NURSE:\nMadam!\n\nROMEO:\nWho calls?\n\nJULIET:\nYour nurse.\n\nNURSE:\n");
        }

        @Test
        void theGenerationPromptUsesTheDefaultAssistantWhenNoAssistantIsNamed() {
            assertThat(play.render(List.of(named("user", "TYBALT", "Boy!")), true, VERONA))
                    .isEqualTo("TYBALT:\nBoy!\n\nJULIET:\n");
        }

        @Test
        void contentIsTrimmedAndInnerBlankLinesCollapse() {
            String content = "\n\n  But soft!\n\n\nWhat light\n   \t\nthrough yonder window breaks?\r\n\r\nIt is the east.  \n\n";

            assertThat(play.render(List.of(user(content)), false, VERONA))
                    .isEqualTo("ROMEO:\nBut soft!\nWhat light\nthrough yonder window breaks?\nIt is the east.\n\n");
        }

        @Test
        void singleLineBreaksInsideASpeechStay() {
            assertThat(play.render(List.of(user("O Romeo, Romeo!\nWherefore art thou Romeo?")), false, VERONA))
                    .isEqualTo("ROMEO:\nO Romeo, Romeo!\nWherefore art thou Romeo?\n\n");
        }

        @Test
        void aMessageWithoutContentIsLeftOut() {
            assertThat(play.render(List.of(user("Hark!"), assistant("  \n "), new ChatMessage("user", null, null)),
                    false, VERONA))
                    .isEqualTo("ROMEO:\nHark!\n\n");
        }

        @Test
        void anUnknownRoleIsRefusedByName() {
            assertThatThrownBy(() -> play.render(List.of(user("Hark!"), new ChatMessage("tool", null, "42")), false, VERONA))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("Unknown role 'tool'")
                    .hasMessageContaining("system, user and assistant");
        }

        @Test
        void aSpeechWithoutAnySpeakerIsRefused() {
            assertThatThrownBy(() -> play.render(List.of(user("Hark!")), false, Map.of()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("No speaker for a user message");
            assertThatThrownBy(() -> play.render(List.of(named("user", "ROMEO", "Hark!")), true, null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("No speaker for the assistant's reply");
        }

        @Test
        void messageContentIsTextNotTemplateCode() {
            // Jinjava's default "nested interpretation" would render this as 49 and run the include
            String content = "{{ 7*7 }} {% include 'dev/folio/chat/play-script.jinja' %}";

            assertThat(play.render(List.of(user(content)), false, VERONA)).isEqualTo("ROMEO:\n" + content + "\n\n");
        }

        @Test
        void theSourceIsTheClasspathResource() throws IOException {
            try (InputStream in = ChatTemplate.class.getResourceAsStream("/dev/folio/chat/play-script.jinja")) {
                assertThat(in).isNotNull();
                assertThat(play.source()).isEqualTo(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
    }

    @Nested
    class CustomTemplates {

        private final List<ChatMessage> conversation = List.of(system("Be brief."), user("Hi"), assistant("Hello."));

        @Test
        void aChatMlTemplateRendersExactly() {
            // as Hugging Face ships it: string concatenation with +, dash whitespace control
            ChatTemplate chatMl = ChatTemplate.of("""
                    {%- for message in messages %}
                        {{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}
                    {%- endfor %}
                    {%- if add_generation_prompt %}
                        {{- '<|im_start|>assistant\\n' }}
                    {%- endif %}
                    """);

            assertThat(chatMl.render(conversation, true, null)).isEqualTo(
                    "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
                            + "<|im_start|>assistant\nHello.<|im_end|>\n<|im_start|>assistant\n");
            assertThat(chatMl.render(conversation, false, null)).endsWith("Hello.<|im_end|>\n");
        }

        @Test
        void blockTagsTrimTheirLineAsHuggingFaceRendersThem() {
            // trim_blocks and lstrip_blocks: a line holding only a block tag leaves nothing behind
            ChatTemplate lines = ChatTemplate.of("""
                    {% for message in messages %}
                      {% if message.role != 'system' %}
                    {{ message.role }}: {{ message.content }}
                      {% endif %}
                    {% endfor %}
                    """);

            assertThat(lines.render(conversation, false, null)).isEqualTo("user: Hi\nassistant: Hello.\n");
        }

        @Test
        void raiseExceptionBecomesTheMessageOfTheRefusal() {
            ChatTemplate strict = ChatTemplate.of("""
                    {%- if messages[0]['role'] != 'user' -%}
                        {{- raise_exception('Conversation roles must start with user, not ' ~ messages[0]['role']) -}}
                    {%- endif -%}
                    {{- messages | length -}}""");

            assertThat(strict.render(List.of(user("Hi")), false, null)).isEqualTo("1");
            assertThatThrownBy(() -> strict.render(conversation, false, null))
                    .isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessage("Conversation roles must start with user, not system");
        }

        @Test
        void theTemplateSeesTheSpeakersAndNoNameKeyWhenThereIsNoName() {
            ChatTemplate probe = ChatTemplate.of(
                    "{% for m in messages %}{{ m.name is defined }}/{{ speakers[m.role] }};{% endfor %}");

            assertThat(probe.render(List.of(user("a"), named("assistant", "NURSE", "b")), false, VERONA))
                    .isEqualTo("false/ROMEO;true/JULIET;");
        }

        @Test
        void anErrorInAnExpressionAtRenderTimeIsReportedPlainlyWithItsSourceLine() {
            // Python's str.startswith is not a Java String method; Jinjava, with trim_blocks, would say line 1
            ChatTemplate python = ChatTemplate.of(
                    "{% for m in messages %}\n{% if true %}\n  {{ m.content.startswith('H') }}\n{% endif %}\n{% endfor %}");

            assertThatThrownBy(() -> python.render(List.of(user("Hi")), false, null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("Chat template failed to render: line 3: Cannot find method startswith "
                            + "with 1 parameters in class java.lang.String in 'm.content.startswith('H')'");
        }

        @Test
        void anUnknownFilterIsRefusedWhenCompiledOrElseWhenRendered() {
            assertThatThrownBy(() -> ChatTemplate.of("{{ messages | no_such_filter }}"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("Chat template syntax error: line 1: unknown filter 'no_such_filter' in 'messages | no_such_filter'");

            // a set tag's expression is only parsed while rendering; Jinjava would silently skip the filter
            ChatTemplate late = ChatTemplate.of("{% set shout = 'hi' | no_such_filter %}{{ shout }}");
            assertThatThrownBy(() -> late.render(List.of(), false, null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("Chat template failed to render: unknown filter 'no_such_filter'");
        }

        @Test
        void outputBeyondTheBoundIsRefused() {
            // 1000 iterations of 1001 characters: within the loop budget, over the output bound
            ChatTemplate flood = ChatTemplate.of("{% for i in range(1000) %}" + "ab".repeat(500) + "{{ i % 2 }}{% endfor %}");

            assertThatThrownBy(() -> flood.render(List.of(), false, null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("larger than " + TemplateLimits.DEFAULT.maxOutputBytes() + " bytes");
        }

        @Test
        void outputJustUnderTheBoundRenders() {
            ChatTemplate half = ChatTemplate.of("{% for i in range(500) %}" + "a".repeat(1000) + "{% endfor %}");

            assertThat(half.render(List.of(), false, null)).hasSize(500_000);
        }

        @Test
        void aMessageWithoutARoleIsRefused() {
            ChatTemplate any = ChatTemplate.of("{{ messages | length }}");

            assertThatThrownBy(() -> any.render(List.of(user("a"), new ChatMessage(" ", null, "b")), false, null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("message 2 has no role");
        }
    }

    @Nested
    class SyntaxErrors {

        @Test
        void aBrokenExpressionIsRefusedWithItsLine() {
            assertThatThrownBy(() -> ChatTemplate.of("{% for m in messages %}\n{{ m.content }}\n{{ m.role + }}\n{% endfor %}"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("Chat template syntax error: line 3: incomplete expression 'm.role +'");
        }

        @Test
        void aBrokenConditionIsRefused() {
            assertThatThrownBy(() -> ChatTemplate.of("ok\n{% if m.role == %}x{% endif %}"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("Chat template syntax error: line 2: incomplete expression 'm.role =='");
        }

        @Test
        void anUnexpectedTokenIsNamed() {
            assertThatThrownBy(() -> ChatTemplate.of("{{ message content }}"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("Chat template syntax error: line 1: "
                            + "unexpected 'content' at character 9 of expression 'message content', expected '}'");
        }

        @Test
        void aMissingEndTagIsRefused() {
            assertThatThrownBy(() -> ChatTemplate.of("{% for m in messages %}\n{{ m.content }}"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("Chat template syntax error: line 1: ")
                    .hasMessageContaining("Missing end tag: endfor");
        }

        @Test
        void aStrayEndTagIsRefused() {
            // Jinjava only warns about it and renders on
            assertThatThrownBy(() -> ChatTemplate.of("{% if true %}x{% endif %}\n{% endif %}"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("Chat template syntax error: line 2: 'endif' has no matching start tag");
        }

        @Test
        void aConditionIsRequired() {
            assertThatThrownBy(() -> ChatTemplate.of("{% for m in messages %}\n{% if %}x{% endif %}\n{% endfor %}"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("Chat template syntax error: line 2: 'if' needs a condition");
        }

        @Test
        void anUnclosedExpressionIsRefused() {
            // Jinjava only warns about it and prints the text as it is
            assertThatThrownBy(() -> ChatTemplate.of("{{ messages[0].content }"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("a '{{' or '{%' is never closed");
        }

        @Test
        void anUnknownTagIsRefused() {
            assertThatThrownBy(() -> ChatTemplate.of("{% generation %}{{ x }}{% endgeneration %}"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("line 1: ")
                    .hasMessageContaining("Unknown tag: generation");
        }

        @Test
        void severalErrorsAreAllListed() {
            assertThatThrownBy(() -> ChatTemplate.of("{{ a + }}\n{{ b | nope }}"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("Chat template syntax error: line 1: incomplete expression 'a +'; "
                            + "line 2: unknown filter 'nope' in 'b | nope'");
        }
    }

    @Nested
    class Sandbox {

        @Test
        void includeCannotReadATemplate() {
            // the play script is on the classpath, which Jinjava's default locator would read
            assertThatThrownBy(() -> ChatTemplate.of("{% include 'dev/folio/chat/play-script.jinja' %}"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("Chat template syntax error: line 1: "
                            + "'include' is not allowed: chat templates cannot load other templates or files");
        }

        @Test
        void importFromAndExtendsCannotReadATemplate() {
            for (String tag : List.of(
                    "{% import 'dev/folio/chat/play-script.jinja' as play %}",
                    "{% from 'dev/folio/chat/play-script.jinja' import speech %}",
                    "{% extends 'dev/folio/chat/play-script.jinja' %}")) {
                String name = tag.substring(3, tag.indexOf(' ', 3));
                assertThatThrownBy(() -> ChatTemplate.of(tag))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("'" + name + "' is not allowed");
            }
        }

        @Test
        void macrosStillWork() {
            ChatTemplate macros = ChatTemplate.of(
                    "{%- macro speech(m) -%}{{ m.role | upper }}: {{ m.content }}{%- endmacro -%}"
                            + "{%- for m in messages -%}{{ speech(m) }}|{%- endfor -%}");

            assertThat(macros.render(List.of(user("a"), assistant("b")), false, null)).isEqualTo("USER: a|ASSISTANT: b|");
        }
    }
}
