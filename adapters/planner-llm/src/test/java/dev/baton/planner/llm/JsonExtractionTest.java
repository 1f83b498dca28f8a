package dev.baton.planner.llm;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JsonExtractionTest {

    @Test
    void prefersAFencedBlock() {
        String reply = "Example {\"not\": 1}\n```json\n{\"tasks\": []}\n```";
        assertThat(JsonExtraction.firstObject(reply)).contains("{\"tasks\": []}");
    }

    @Test
    void findsTheFirstBalancedObjectAmongProse() {
        String reply = "Here you go: {\"a\": {\"b\": \"} tricky { \\\" quote\"}, \"c\": [1, {\"d\": 2}]} and more {\"x\": 1}";
        assertThat(JsonExtraction.firstObject(reply))
                .contains("{\"a\": {\"b\": \"} tricky { \\\" quote\"}, \"c\": [1, {\"d\": 2}]}");
    }

    @Test
    void skipsUnbalancedBracesAndFindsNothingInPlainProse() {
        assertThat(JsonExtraction.firstObject("a { broken ] then {\"ok\": true}")).contains("{\"ok\": true}");
        assertThat(JsonExtraction.firstObject("no json here")).isEmpty();
        assertThat(JsonExtraction.firstObject("{ never closed")).isEmpty();
        assertThat(JsonExtraction.firstObject(null)).isEmpty();
        assertThat(JsonExtraction.firstObject("```\nplain fence\n```")).isEmpty();
    }

    @Test
    void manyUnclosedBracesCostLinearTime() {
        // each failed candidate used to be scanned to the end again from each of its braces: 300,000 braces took
        // minutes
        String reply = "{".repeat(300_000) + " then {\"tasks\": [{\"id\": \"a\"}]} and " + "[{".repeat(100_000);
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(5), () ->
                assertThat(JsonExtraction.firstObject(reply)).contains("{\"tasks\": [{\"id\": \"a\"}]}"));
        assertThat(JsonExtraction.firstObject("{ [ } } tail")).contains("{ [ } }");
        assertThat(JsonExtraction.firstObject("{\"a\": [1, {\"b\": 2} ]")).contains("{\"b\": 2}");
    }
}
