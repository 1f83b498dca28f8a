package dev.baton.plan;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ReferenceSyntaxExceptionTest {

    @Test
    void abbreviateKeepsPlainShortTextAsItIs() {
        assertThat(ReferenceSyntaxException.abbreviate("")).isEmpty();
        assertThat(ReferenceSyntaxException.abbreviate("$task1.customer-id")).isEqualTo("$task1.customer-id");
        String exactly200 = "x".repeat(200);
        assertThat(ReferenceSyntaxException.abbreviate(exactly200)).isEqualTo(exactly200);
        // letters outside ASCII, and a pair of surrogates, are no control characters
        assertThat(ReferenceSyntaxException.abbreviate("b\u00fccher \ud83d\ude00")).isEqualTo("b\u00fccher \ud83d\ude00");
    }

    @Test
    void abbreviateEscapesWhatWouldBreakTheLineOrReorderIt() {
        assertThat(ReferenceSyntaxException.abbreviate("a\nb\rc\td")).isEqualTo("a\\nb\\rc\\td");
        assertThat(ReferenceSyntaxException.abbreviate("\u0000\u001b[2J\u007f\u0085\u009b"))
                .isEqualTo("\\u0000\\u001b[2J\\u007f\\u0085\\u009b");
        assertThat(ReferenceSyntaxException.abbreviate("x\u2028y\u2029z")).isEqualTo("x\\u2028y\\u2029z");
        assertThat(ReferenceSyntaxException.abbreviate("\u202a\u202e\u2066\u2069"))
                .isEqualTo("\\u202a\\u202e\\u2066\\u2069");
        // the neighbours of those ranges are left alone
        assertThat(ReferenceSyntaxException.abbreviate("\u00a0\u2027\u202f\u2065\u206a"))
                .isEqualTo("\u00a0\u2027\u202f\u2065\u206a");
    }

    @Test
    void abbreviateCutsAfter200CharactersWithoutSplittingAPair() {
        assertThat(ReferenceSyntaxException.abbreviate("x".repeat(201))).isEqualTo("x".repeat(200) + "...");
        assertThat(ReferenceSyntaxException.abbreviate("x".repeat(10_000))).hasSize(203);
        // a pair across the cut is left out whole
        assertThat(ReferenceSyntaxException.abbreviate("x".repeat(199) + "\ud83d\ude00" + "y"))
                .isEqualTo("x".repeat(199) + "...");
        // escapes are counted after the cut: 200 characters of text, whatever their escapes take
        assertThat(ReferenceSyntaxException.abbreviate("\n".repeat(300))).isEqualTo("\\n".repeat(200) + "...");
    }

    @Test
    void theMessageQuotesTheReferenceOnOneLine() {
        ReferenceSyntaxException e = new ReferenceSyntaxException("$a\nforged: line", 2, "unexpected character");
        assertThat(e.getMessage()).isEqualTo("invalid reference '$a\\nforged: line' at character 2: unexpected character");
        assertThat(e.text()).isEqualTo("$a\nforged: line");
    }
}
