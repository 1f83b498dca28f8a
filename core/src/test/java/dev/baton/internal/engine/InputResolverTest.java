package dev.baton.internal.engine;

import dev.baton.plan.Plan;
import dev.baton.validation.PlanGraph;
import dev.baton.validation.PlanValidator;
import org.junit.jupiter.api.Test;

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
            .task("c", "s", Map.of("y", "$a.missing"))
            .build();
    private static final PlanGraph GRAPH = PlanValidator.defaults().validate(PLAN).graph().orElseThrow();
    private static final Map<String, Object> A_OUTPUT = Map.of("v", 5);
    private static final Function<String, Object> OUTPUTS = id -> id.equals("a") ? A_OUTPUT : InputResolver.MISSING;

    private static int index(String id) {
        return GRAPH.indexOf(id);
    }

    @Test
    void theValidatedSitesResolveLikeParsingDoes() {
        int b = index("b");
        Map<String, Object> input = GRAPH.task(b).input();
        Map<String, Object> viaSites = InputResolver.resolve(input, GRAPH.references(b), OUTPUTS);
        Map<String, Object> parsed = InputResolver.resolve(input, OUTPUTS);
        assertThat(viaSites).isEqualTo(parsed)
                .containsEntry("x", 5)
                .containsEntry("plain", "text")
                .containsEntry("list", List.of(A_OUTPUT, "$lit", 3, Map.of("deep", 5)));
        assertThat(viaSites.keySet()).containsExactlyElementsOf(input.keySet());
    }

    @Test
    void sitesThatDoNotLineUpFallBackToParsing() {
        int b = index("b");
        Map<String, Object> input = GRAPH.task(b).input();
        // the sites of another task: the first reference's task matches, the count does not
        assertThat(InputResolver.resolve(input, GRAPH.references(index("c")), OUTPUTS))
                .isEqualTo(InputResolver.resolve(input, OUTPUTS));
        // same producer, another path: the site is not taken for the text
        Map<String, Object> bare = dev.baton.plan.JsonValues.freezeObject(Map.of("y", "$a"));
        assertThat(InputResolver.resolve(bare, GRAPH.references(index("c")), OUTPUTS)).containsEntry("y", A_OUTPUT);
        Map<String, Object> other = Map.of("z", "$q.v");
        assertThatThrownBy(() -> InputResolver.resolve(other, GRAPH.references(b), OUTPUTS))
                .isInstanceOf(InputResolver.UnresolvedReferenceException.class)
                .hasMessageContaining("'$q.v' at /z");
    }

    @Test
    void aMissingPathNamesItsPointerEitherWay() {
        int c = index("c");
        Map<String, Object> input = GRAPH.task(c).input();
        for (List<dev.baton.validation.ReferenceSite> sites : List.of(GRAPH.references(c), List.<dev.baton.validation.ReferenceSite>of())) {
            assertThatThrownBy(() -> InputResolver.resolve(input, sites, OUTPUTS))
                    .isInstanceOf(InputResolver.UnresolvedReferenceException.class)
                    .hasMessageContaining("'$a.missing' at /y")
                    .hasMessageContaining("'a' output has no 'missing'");
        }
        assertThatThrownBy(() -> InputResolver.resolve(input, sites(c), id -> InputResolver.MISSING))
                .hasMessageContaining("task 'a' has no output");
    }

    @Test
    void anInputWithoutReferencesIsReturnedAsItIs() {
        Map<String, Object> input = GRAPH.task(index("a")).input();
        assertThat(InputResolver.resolve(input, GRAPH.references(index("a")), OUTPUTS)).isSameAs(input);
        Map<String, Object> literal = dev.baton.plan.JsonValues.freezeObject(Map.of("k", "v", "n", 1));
        assertThat(InputResolver.resolve(literal, List.of(), OUTPUTS)).isSameAs(literal);
    }

    private static List<dev.baton.validation.ReferenceSite> sites(int i) {
        return GRAPH.references(i);
    }
}
