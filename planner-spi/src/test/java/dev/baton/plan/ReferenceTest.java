package dev.baton.plan;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ReferenceTest {

    @Test
    void wholeOutput() {
        Reference r = Reference.parse("$task1");
        assertThat(r.taskId()).isEqualTo("task1");
        assertThat(r.path()).isEmpty();
        assertThat(r.isParams()).isFalse();
        assertThat(r.toString()).isEqualTo("$task1");
    }

    @Test
    void keysAndIndexes() {
        Reference r = Reference.parse("$task1.items[0].id");
        assertThat(r.path()).containsExactly(new PathSegment.Key("items"), new PathSegment.Index(0), new PathSegment.Key("id"));
        assertThat(r.toString()).isEqualTo("$task1.items[0].id");
        assertThat(Reference.parse("$t.matrix[1][22]").path())
                .containsExactly(new PathSegment.Key("matrix"), new PathSegment.Index(1), new PathSegment.Index(22));
        assertThat(Reference.parse("$t[3]").path()).containsExactly(new PathSegment.Index(3));
    }

    @Test
    void keysWithDashesUnicodeAndSymbols() {
        assertThat(Reference.parse("$my-task_2.order-id.zip_code").path())
                .containsExactly(new PathSegment.Key("order-id"), new PathSegment.Key("zip_code"));
        assertThat(Reference.parse("$task0.café.名前.😀").path())
                .containsExactly(new PathSegment.Key("café"), new PathSegment.Key("名前"), new PathSegment.Key("😀"));
        assertThat(Reference.parse("$task0.a$b").path()).containsExactly(new PathSegment.Key("a$b"));
        assertThat(Reference.parse("$task0.customerId").isParams()).isTrue();
    }

    @Test
    void escapedDollarIsALiteral() {
        assertThat(Reference.isReference("$$100")).isFalse();
        assertThat(Reference.isEscaped("$$100")).isTrue();
        assertThat(Reference.unescape("$$100")).isEqualTo("$100");
        assertThat(Reference.unescape("$$")).isEqualTo("$");
        assertThat(Reference.unescape("plain")).isEqualTo("plain");
        assertThat(Reference.isReference("$task1")).isTrue();
        assertThat(Reference.isReference("$")).isTrue();
        assertThat(Reference.isReference("costs $5")).isFalse();
        assertThat(Reference.isReference("")).isFalse();
        assertThat(Reference.isReference(5)).isFalse();
        assertThatThrownBy(() -> Reference.parse("$$100")).isInstanceOf(ReferenceSyntaxException.class)
                .hasMessageContaining("escaped literal");
    }

    @ParameterizedTest
    @ValueSource(strings = {"$", "$.a", "$a.", "$a..b", "$a.b[", "$a.b[]", "$a.b[x]", "$a.b[-1]", "$a.b[01]",
            "$a.b]", "$a b", "$a.b c", "$a.b\tc", "$a!", "$a.b[99999999999]", "task1", "", "$a[0]x"})
    void badSyntaxIsRejected(String text) {
        ReferenceSyntaxException e = catchThrowableOfType(() -> Reference.parse(text), ReferenceSyntaxException.class);
        assertThat(e).as(text).isNotNull();
        assertThat(e.text()).isEqualTo(text);
        assertThat(e.position()).isBetween(0, Math.max(0, text.length()));
        assertThat(e.getMessage()).contains("invalid reference");
    }

    @Test
    void tooLongIsRejectedCheaply() {
        String huge = "$t." + "a".repeat(Reference.MAX_LENGTH);
        assertThat(catchThrowableOfType(() -> Reference.parse(huge), ReferenceSyntaxException.class).getMessage())
                .contains("longer than").hasSizeLessThan(400);
        assertThatThrownBy(() -> Reference.parse("$" + "x".repeat(129))).isInstanceOf(ReferenceSyntaxException.class);
        assertThat(Reference.parse("$" + "x".repeat(128)).taskId()).hasSize(128);
    }

    @Test
    void taskIds() {
        assertThat(Reference.isTaskId("task-1_A")).isTrue();
        assertThat(Reference.isTaskId("")).isFalse();
        assertThat(Reference.isTaskId("a.b")).isFalse();
        assertThat(Reference.isTaskId("é")).isFalse();
        assertThat(Reference.TASK_ID.matcher("abc").matches()).isTrue();
        assertThatThrownBy(() -> new Reference("bad id", List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void selectFollowsThePath() {
        Object output = Map.of("items", List.of(Map.of("id", "x1"), Map.of("id", "x2")), "n", Map.of());
        Object missing = new Object();
        assertThat(Reference.parse("$t.items[1].id").select(output, missing)).isEqualTo("x2");
        assertThat(Reference.parse("$t.items[5].id").select(output, missing)).isSameAs(missing);
        assertThat(Reference.parse("$t.n.deep").select(output, missing)).isSameAs(missing);
        assertThat(Reference.parse("$t").select(output, missing)).isSameAs(output);
        assertThat(Reference.parse("$t.items[1].nope").resolvablePrefix(output)).isEqualTo(2);
        assertThat(Reference.parse("$t.items[0].id").resolvablePrefix(output)).isEqualTo(3);
        assertThat(new PathSegment.Index(0).select("not a list", missing)).isSameAs(missing);
        assertThatThrownBy(() -> new PathSegment.Key("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PathSegment.Index(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"$task1", "$t.items[0].id", "$t.matrix[1][22]", "$t[3]", "$my-task_2.order-id",
            "$task0.café.名前.😀", "$task0.a$b", "$t.a\u00a0b", "$t.k~/x", "$t.b[2147483647]",
            "$", "$.a", "$a.", "$a..b", "$a.b[", "$a.b[]", "$a.b[x]", "$a.b[-1]", "$a.b[01]", "$a.b]", "$a b",
            "$a.b c", "$a.b\tc", "$a.b\u0085c", "$a.b\u2028c", "$a.b\u007fc", "$a!", "$a.b[99999999999]",
            "$a.b[2147483648]", "task1", "", "$$x", "$a[0]x"})
    void checkSyntaxAcceptsAndRejectsExactlyWhatParseDoes(String text) {
        ReferenceSyntaxException parseError = catchThrowableOfType(() -> Reference.parse(text), ReferenceSyntaxException.class);
        ReferenceSyntaxException checkError = catchThrowableOfType(() -> Reference.checkSyntax(text), ReferenceSyntaxException.class);
        if (parseError == null) {
            assertThat(checkError).as(text).isNull();
            int idEnd = Reference.checkSyntax(text);
            assertThat(text.substring(1, idEnd)).isEqualTo(Reference.parse(text).taskId());
        } else {
            assertThat(checkError).as(text).isNotNull();
            assertThat(checkError.getMessage()).isEqualTo(parseError.getMessage());
            assertThat(checkError.position()).isEqualTo(parseError.position());
        }
    }

    @Test
    void checkSyntaxEndsTheIdWhereThePathStarts() {
        assertThat(Reference.checkSyntax("$task1")).isEqualTo(6);
        assertThat(Reference.checkSyntax("$ab.c")).isEqualTo(3);
        assertThat(Reference.checkSyntax("$ab[0]")).isEqualTo(3);
        String longest = "$" + "x".repeat(128) + ".k";
        assertThat(Reference.checkSyntax(longest)).isEqualTo(129);
        assertThatThrownBy(() -> Reference.checkSyntax("$t." + "a".repeat(Reference.MAX_LENGTH)))
                .isInstanceOf(ReferenceSyntaxException.class).hasMessageContaining("longer than");
    }

    @Test
    void keysMayHoldNonAsciiSpacingCharactersOnlyWhenJavaDoesNotCallThemWhitespace() {
        // no-break space is not whitespace to Character.isWhitespace; the line separator is
        assertThat(Reference.parse("$t.a\u00a0b").path()).containsExactly(new PathSegment.Key("a\u00a0b"));
        assertThatThrownBy(() -> Reference.parse("$t.a\u2028b")).hasMessageContaining("whitespace");
        assertThatThrownBy(() -> Reference.parse("$t.a\u007fb")).hasMessageContaining("whitespace");
    }
}
