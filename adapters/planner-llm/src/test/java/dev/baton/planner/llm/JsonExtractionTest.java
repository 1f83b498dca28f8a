package dev.baton.planner.llm;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JsonExtractionTest {

    /** The candidate the plan reader tries first. */
    private static java.util.Optional<String> first(String reply) {
        return JsonExtraction.candidates(reply, 1).stream().findFirst();
    }

    @Test
    void prefersAFencedBlock() {
        String reply = "Example {\"not\": 1}\n```json\n{\"tasks\": []}\n```";
        assertThat(first(reply)).contains("{\"tasks\": []}");
    }

    @Test
    void findsTheFirstBalancedObjectAmongProse() {
        String reply = "Here you go: {\"a\": {\"b\": \"} tricky { \\\" quote\"}, \"c\": [1, {\"d\": 2}]} and more {\"x\": 1}";
        assertThat(first(reply))
                .contains("{\"a\": {\"b\": \"} tricky { \\\" quote\"}, \"c\": [1, {\"d\": 2}]}");
    }

    @Test
    void skipsUnbalancedBracesAndFindsNothingInPlainProse() {
        assertThat(first("a { broken ] then {\"ok\": true}")).contains("{\"ok\": true}");
        assertThat(first("no json here")).isEmpty();
        assertThat(first("{ never closed")).isEmpty();
        assertThat(first(null)).isEmpty();
        assertThat(first("```\nplain fence\n```")).isEmpty();
    }

    @Test
    void manyUnclosedBracesCostLinearTime() {
        // each failed candidate used to be scanned to the end again from each of its braces: 300,000 braces took
        // minutes
        String reply = "{".repeat(300_000) + " then {\"tasks\": [{\"id\": \"a\"}]} and " + "[{".repeat(100_000);
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(5), () ->
                assertThat(JsonExtraction.candidates(reply, 8)).contains("{\"tasks\": [{\"id\": \"a\"}]}"));
        assertThat(first("{ [ } } tail")).contains("{ [ } }");
        assertThat(first("{\"a\": [1, {\"b\": 2} ]")).contains("{\"b\": 2}");
    }
}
