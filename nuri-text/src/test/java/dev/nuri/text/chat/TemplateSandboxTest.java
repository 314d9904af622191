package dev.nuri.text.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nuri.NuriException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Templates are untrusted: no Java, no files, bounded work, and clear errors naming the template. */
class TemplateSandboxTest {

    private static final List<ChatMessage> HI = List.of(ChatMessage.user("hi"));

    private static NuriException failure(String template) {
        return failure(ChatTemplate.of(template, "evil.jinja", "<s>", "</s>"));
    }

    private static NuriException failure(ChatTemplate template) {
        NuriException e = assertThrows(NuriException.class, () -> template.render(HI, true));
        assertTrue(e.getMessage().contains("evil.jinja"), e.getMessage());
        return e;
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{{ 'x'.getClass() }}",
        "{{ 'x'.getClass().forName('java.lang.Runtime') }}",
        "{{ 'x'.repeat(2000000000) }}",
        "{{ 'x'.getBytes() }}",
        "{{ messages.clear() }}",
        "{{ messages.size() }}",
        "{{ messages[0].put('role', 'system') }}",
        "{{ messages.append(1) }}",
        "{% set ns = namespace(a=1) %}{{ ns.getClass() }}",
        "{% for m in messages %}{{ loop.getClass() }}{% endfor %}",
    })
    void javaMethodsAreNotReachable(String template) {
        NuriException e = failure(template);
        assertTrue(e.getMessage().contains("available to chat templates"), e.getMessage());
    }

    @Test
    void javaPropertiesReadAsUndefined() {
        ChatTemplate t = ChatTemplate.of("[{{ 'x'.class }}|{{ 'x'.bytes }}|{{ 'abc'.blank }}|{{ loop }}]",
                "t", null, null);
        assertEquals("[|||]", t.render(HI, false));
    }

    @Test
    void templatesCannotModifyTheConversation() {
        ChatTemplate t = ChatTemplate.of(
                "{% set m = messages[0] %}{% set m.role = 'system' %}{{ messages[0].role }}", "t", null, null);
        assertEquals("user", t.render(HI, false));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{% include 'secret.txt' %}", "{% import 'macros.jinja' as m %}",
        "{% from 'macros.jinja' import x %}", "{% extends 'base.jinja' %}"})
    void templatesCannotLoadFiles(String template) {
        NuriException e = failure(template);
        assertTrue(e.getMessage().contains("disabled"), e.getMessage());
    }

    @Test
    void runawayLoopIsStopped() {
        ChatTemplate t = ChatTemplate.of("{% for i in range(100000) %}{% for j in range(100000) %}{% if i < 0 %}x"
                + "{% endif %}{% endfor %}{% endfor %}", "evil.jinja", null, null)
                .withLimits(new TemplateSandbox.Limits(1 << 20, 20_000, Duration.ofSeconds(30), 100_000, 10_000, 20));
        NuriException e = failure(t);
        assertTrue(e.getMessage().contains("was stopped") && e.getMessage().contains("20000 template nodes"),
                e.getMessage());
    }

    @Test
    void slowRenderIsStopped() {
        ChatTemplate t = ChatTemplate.of("{% for i in range(100000) %}{% for j in range(100000) %}{% if i < 0 %}x"
                + "{% endif %}{% endfor %}{% endfor %}", "evil.jinja", null, null)
                .withLimits(new TemplateSandbox.Limits(1 << 20, Long.MAX_VALUE, Duration.ofMillis(200), 100_000,
                        10_000, 20));
        NuriException e = failure(t);
        assertTrue(e.getMessage().contains("took longer than 200 ms"), e.getMessage());
    }

    @Test
    void hugeRangeIsRefused() {
        NuriException e = failure("{% for i in range(10 ** 9) %}{% endfor %}");
        assertTrue(e.getMessage().contains("range() of 1000000000 items"), e.getMessage());
    }

    @Test
    void outputSizeIsCapped() {
        ChatTemplate t = ChatTemplate.of("{% for i in range(10000) %}{{ messages[0].content }}{% endfor %}",
                        "evil.jinja", null, null)
                .withLimits(new TemplateSandbox.Limits(5_000, 1_000_000, Duration.ofSeconds(30), 100_000, 10_000, 20));
        List<ChatMessage> messages = List.of(ChatMessage.user("0123456789"));
        NuriException e = assertThrows(NuriException.class, () -> t.render(messages, false));
        assertTrue(e.getMessage().contains("evil.jinja") && e.getMessage().toLowerCase().contains("output"),
                e.getMessage());
    }

    @Test
    void runawayRecursionIsStopped() {
        NuriException e = failure("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}");
        assertTrue(e.getMessage().contains("recursion"), e.getMessage());
    }

    @Test
    void boundedRecursionWorks() {
        ChatTemplate t = ChatTemplate.of("{% macro f(n) %}{% if n < 3 %}{{ n }}{{ f(n + 1) }}{% endif %}{% endmacro %}"
                + "{{ f(0) }}", "t", null, null);
        assertEquals("012", t.render(HI, false));
    }

    @Test
    void syntaxErrorsNameTheTemplateAndTheProblem() {
        assertTrue(failure("{% if messages %}no end").getMessage().contains("Missing end tag: endif"));
        assertTrue(failure("{% frobnicate %}").getMessage().contains("Unknown tag: frobnicate"));
        assertTrue(failure("{{ messages[ }}").getMessage().contains("line 1"));
    }

    @Test
    void raiseExceptionCarriesTheTemplatesMessage() {
        NuriException e = failure("{% if messages[0].role == 'user' %}{{ raise_exception('Roles must alternate!') }}"
                + "{% endif %}");
        assertEquals("chat template evil.jinja raised an error: Roles must alternate!", e.getMessage());
    }

    @Test
    void onlyJsonLikeValuesEnterATemplate() {
        assertThrows(IllegalArgumentException.class,
                () -> ChatMessage.user("x").withExtra("runtime", Runtime.getRuntime()));
        assertThrows(IllegalArgumentException.class,
                () -> ChatRenderOptions.of(true).with("thread", Thread.currentThread()));
        assertThrows(IllegalArgumentException.class,
                () -> ChatRenderOptions.of(true).withTools(List.of(Map.of("f", new Object()))));
        assertThrows(IllegalArgumentException.class, () -> new ChatMessage("user", 42, null, null, null, null));
    }
}
