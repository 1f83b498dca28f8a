package dev.baton.internal.engine;

import dev.baton.plan.Plan;
import dev.baton.plan.Reference;
import dev.baton.validation.PlanGraph;
import dev.baton.validation.PlanValidator;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InputResolverTest {

    private static final Plan PLAN = Plan.builder()
            .task("a", "s", Map.of())
            .task("b", "s", Map.of("x", "$a.v", "list", List.of("$a", "$$lit", 3, Map.of("deep", "$a.v")),
                    "plain", "text"))
            .task("c", "s", Map.of("y", Map.of("z", List.of(1, "$a.missing"))))
            .build();
    private static final PlanGraph GRAPH = PlanValidator.defaults().validate(PLAN).graph().orElseThrow();
    private static final Map<String, Object> A_OUTPUT = Map.of("v", 5);
    private static final Function<String, Object> OUTPUTS = id -> id.equals("a") ? A_OUTPUT : InputResolver.MISSING;

    private static int index(String id) {
        return GRAPH.indexOf(id);
    }

    @Test
    void referencesAreReplacedEscapesUnescapedAndLiteralsKept() {
        Map<String, Object> input = GRAPH.task(index("b")).input();
        Map<String, Object> r = InputResolver.resolve(input, OUTPUTS);
        assertThat(r).containsEntry("x", 5)
                .containsEntry("plain", "text")
                .containsEntry("list", List.of(A_OUTPUT, "$lit", 3, Map.of("deep", 5)));
        assertThat(r.keySet()).containsExactlyElementsOf(input.keySet());
    }

    @Test
    void aRunsParserIsAskedOncePerTextItRemembers() {
        Map<String, Reference> memo = new HashMap<>();
        List<String> asked = new ArrayList<>();
        Function<String, Reference> parser = text -> memo.computeIfAbsent(text, t -> {
            asked.add(t);
            return Reference.parse(t);
        });
        Map<String, Object> input = GRAPH.task(index("b")).input();
        Map<String, Object> first = InputResolver.resolve(input, OUTPUTS, parser);
        Map<String, Object> second = InputResolver.resolve(input, OUTPUTS, parser);
        assertThat(first).isEqualTo(second).isEqualTo(InputResolver.resolve(input, OUTPUTS));
        // "$a.v" appears twice and the input is resolved twice: each distinct text is parsed once
        assertThat(asked).containsExactlyInAnyOrder("$a.v", "$a");
    }

    @Test
    void aMissingPathNamesItsPointerWhicheverParserIsUsed() {
        Map<String, Object> input = GRAPH.task(index("c")).input();
        Map<String, Reference> memo = new HashMap<>();
        for (Function<String, Reference> parser : List.<Function<String, Reference>>of(Reference::parse,
                t -> memo.computeIfAbsent(t, Reference::parse))) {
            assertThatThrownBy(() -> InputResolver.resolve(input, OUTPUTS, parser))
                    .isInstanceOf(InputResolver.UnresolvedReferenceException.class)
                    .hasMessageContaining("'$a.missing' at /y/z/1")
                    .hasMessageContaining("'a' output has no 'missing'");
        }
        assertThatThrownBy(() -> InputResolver.resolve(input, id -> InputResolver.MISSING))
                .hasMessageContaining("task 'a' has no output")
                .hasMessageContaining("at /y/z/1");
    }

    @Test
    void anInputWithoutReferencesIsReturnedAsItIs() {
        Map<String, Object> input = GRAPH.task(index("a")).input();
        assertThat(InputResolver.resolve(input, OUTPUTS)).isSameAs(input);
        Map<String, Object> literal = dev.baton.plan.JsonValues.freezeObject(Map.of("k", "v", "n", 1));
        assertThat(InputResolver.resolve(literal, OUTPUTS)).isSameAs(literal);
    }
}
