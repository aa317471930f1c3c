package dev.folio.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A render is bounded in loop iterations (across nested loops), time, string length and output; over a bound it is refused by name. */
class TemplateBoundsTest {

    private static final Map<String, String> VERONA = Map.of("user", "ROMEO", "assistant", "JULIET");
    private static final List<ChatMessage> HELLO = List.of(new ChatMessage("user", null, "Good morrow."));

    private static String render(String source, TemplateLimits limits) {
        return ChatTemplate.of(source).render(HELLO, true, VERONA, limits);
    }

    /** The default bounds, with time enough that the loop budget is always what stops a render (no timing in these tests). */
    private static final TemplateLimits UNTIMED = loops(TemplateLimits.DEFAULT.maxLoopIterations());

    private static TemplateLimits loops(long iterations) {
        return new TemplateLimits(iterations, Duration.ofMinutes(1), 100_000, 1_000_000);
    }

    @Test
    void nestedLoopsSpendOneBudgetBetweenThem() {
        // 40 + 40 * 40 = 1640 iterations: each range is small, their product is not
        String nested = "{% for i in range(40) %}{% for j in range(40) %}.{% endfor %}{% endfor %}";

        assertThat(render(nested, loops(1640))).hasSize(1600);
        assertThatThrownBy(() -> render(nested, loops(1639)))
                .isInstanceOf(TemplateBoundsException.class)
                .hasMessageContaining("loops ran more than 1639 iterations")
                .hasMessageContaining("loop budget");
    }

    @Test
    void threeNestedRangesOfAThousandAreRefusedByTheDefaultLoopBudget() {
        String billion = "{% for i in range(1000) %}{% for j in range(1000) %}{% for k in range(1000) %}{% endfor %}{% endfor %}{% endfor %}";

        assertThatThrownBy(() -> render(billion, UNTIMED))
                .isInstanceOf(TemplateBoundsException.class)
                .hasMessageContaining("loop budget");
    }

    @Test
    void loopsOverMessagesAndDictsKeepTheirLoopVariables() {
        List<ChatMessage> three = Collections.nCopies(3, new ChatMessage("user", null, "a"));
        String source = "{% for m in messages %}{{ loop.index }}/{{ loop.length }}{% if loop.last %}!{% endif %},{% endfor %}"
                + "{% for k, v in {'x': 1, 'y': 2}.items() %}{{ k }}={{ v }};{% endfor %}{% for k in {'z': 3} %}{{ k }}{% endfor %}";

        assertThat(ChatTemplate.of(source).render(three, false, VERONA, loops(10))).isEqualTo("1/3,2/3,3/3!,x=1;y=2;z");
    }

    @Test
    void aStringDoubledPastTheLengthLimitIsRefused() {
        String doubling = "{% set ns = namespace(s='ab') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}";

        assertThatThrownBy(() -> render(doubling, UNTIMED))
                .isInstanceOf(TemplateBoundsException.class)
                .hasMessageContaining("string length limit");
    }

    @Test
    void aFilterAskedForAHugeSizeIsRefusedBeforeItBuildsIt() {
        assertThatThrownBy(() -> render("{{ 'a' | center(1000000000) }}", UNTIMED))
                .isInstanceOf(TemplateBoundsException.class)
                .hasMessageContaining("'center'")
                .hasMessageContaining("string length limit");
        assertThatThrownBy(() -> render("{{ '%0999999999d' | format(1) }}", UNTIMED))
                .isInstanceOf(TemplateBoundsException.class)
                .hasMessageContaining("string length limit");
        assertThat(render("{{ 'a' | center(5) }}|{{ '%03d' | format(7) }}", UNTIMED)).isEqualTo("  a  |007");
    }

    @Test
    void javaMethodsThatBuildStringsOfAnySizeCannotBeCalled() {
        assertThatThrownBy(() -> render("{{ 'a'.repeat(1000000000) }}", UNTIMED))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("repeat");
        assertThatThrownBy(() -> render("{{ 'a'.concat('b') }}", UNTIMED))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("concat");
        // what templates use still works
        assertThat(render("{{ '  a b '.strip().split(' ') | join('+') }}", UNTIMED)).isEqualTo("a+b");
    }

    @Test
    void theOutputSizeIsCapped() {
        TemplateLimits small = new TemplateLimits(100_000, Duration.ofMinutes(1), 100_000, 1000);
        String thousandAndOne = "{% for i in range(500) %}ab{% endfor %}!";

        assertThat(render("{% for i in range(500) %}ab{% endfor %}", small)).hasSize(1000);
        assertThatThrownBy(() -> render(thousandAndOne, small))
                .isInstanceOf(TemplateBoundsException.class)
                .hasMessageContaining("larger than 1000 bytes")
                .hasMessageContaining("output size limit");
    }

    @Test
    void aRenderPastItsTimeIsRefused() {
        TemplateLimits instant = new TemplateLimits(100_000, Duration.ofNanos(1), 100_000, 1_000_000);

        assertThatThrownBy(() -> render("{% for m in messages %}{{ m.content }}{% endfor %}", instant))
                .isInstanceOf(TemplateBoundsException.class)
                .hasMessageContaining("render time limit");
    }

    @Test
    void aBudgetIsPerRender() {
        ChatTemplate fifty = ChatTemplate.of("{% for i in range(50) %}.{% endfor %}");
        for (int i = 0; i < 5; i++) {
            assertThat(fifty.render(HELLO, false, VERONA, loops(50))).hasSize(50);
        }
    }

    @Test
    void thePlayScriptStaysWellWithinTheBounds() {
        List<ChatMessage> scene = Collections.nCopies(200, new ChatMessage("user", null, "Good morrow, fair maid."));

        assertThat(ChatTemplate.playScript().render(scene, true, VERONA, loops(200))).endsWith("JULIET:\n");
        assertThatCode(() -> ChatTemplate.playScript().check(UNTIMED, VERONA)).doesNotThrowAnyException();
    }

    @Test
    void checkingATemplateRefusesABoundOrAFailureButNotTheTemplatesOwnVerdict() {
        assertThatThrownBy(() -> ChatTemplate.of("{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}")
                .check(UNTIMED, VERONA))
                .isInstanceOf(TemplateBoundsException.class)
                .hasMessageContaining("loop budget");
        assertThatThrownBy(() -> ChatTemplate.of("{{ 'a'.repeat(3) }}").check(UNTIMED, VERONA))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("repeat");
        assertThatCode(() -> ChatTemplate.of("{{ raise_exception('no system messages') }}").check(UNTIMED, VERONA))
                .doesNotThrowAnyException();
    }
}
