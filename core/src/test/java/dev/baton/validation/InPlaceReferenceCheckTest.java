package dev.baton.validation;

import dev.baton.plan.PathSegment;
import dev.baton.plan.Plan;
import dev.baton.plan.Reference;
import dev.baton.plan.Task;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Validation checks references where it finds them, without building a {@link Reference} or a pointer for one that
 * is fine; these are the cases where doing it in place could go wrong.
 */
class InPlaceReferenceCheckTest {

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void idsAreMatchedByTheirWholeTextEvenWhenTheirHashesCollide() {
        // "Aa" and "BB" have the same String.hashCode; t1 is a prefix of t10 and t100
        assertThat("Aa".hashCode()).isEqualTo("BB".hashCode());
        Plan p = Plan.builder()
                .task("Aa", "s", Map.of())
                .task("BB", "s", Map.of())
                .task("t1", "s", Map.of())
                .task("t10", "s", Map.of())
                .task("t100", "s", map("a", "$BB.x", "b", "$t10[0]", "c", "$t1"))
                .task("last", "s", map("a", "$Aa", "b", "$t100.y", "c", "$t1000", "d", "$A"))
                .build();
        ValidationResult r = PlanValidator.defaults().validate(p);
        assertThat(r.errors()).extracting(ValidationError::code, ValidationError::path).containsExactly(
                tuple(ValidationCode.DANGLING_REFERENCE, "/tasks/5/input/c"),
                tuple(ValidationCode.DANGLING_REFERENCE, "/tasks/5/input/d"));
        assertThat(r.errors().get(0).message()).contains("'$t1000'");
        Plan ok = Plan.builder()
                .task("Aa", "s", Map.of())
                .task("BB", "s", Map.of())
                .task("c", "s", map("x", "$BB", "y", "$Aa.v"))
                .build();
        PlanGraph g = PlanValidator.defaults().validate(ok).graph().orElseThrow();
        assertThat(g.dependencies(2)).containsExactly(1, 0);
    }

    @Test
    void idTableFindsAnIdInsideALongerText() {
        IdTable t = new IdTable(5);
        t.putIfAbsent("Aa", 0);
        t.putIfAbsent("BB", 1);
        t.putIfAbsent("b\u00e9", 2);
        assertThat(t.get("$BB.x", 1, 3)).isEqualTo(1);
        assertThat(t.get("$Aa", 1, 3)).isEqualTo(0);
        // a reference's id is always a valid id, so an invalid one is found by name only, never by a range
        assertThat(t.get("b\u00e9")).isEqualTo(2);
        assertThat(t.get("xb\u00e9y", 1, 3)).isEqualTo(-1);
        String longId = "y".repeat(200);
        t.putIfAbsent(longId, 3);
        t.putIfAbsent("a.b", 4);
        assertThat(t.get(longId)).isEqualTo(3);
        assertThat(t.get("$" + longId, 1, 201)).isEqualTo(-1);
        assertThat(t.get("a.b")).isEqualTo(4);
        assertThat(t.get("Aa")).isEqualTo(0);
        assertThat(t.get("BB")).isEqualTo(1);
        assertThat(t.get("AaBB")).isEqualTo(-1);
        assertThat(t.putIfAbsent("BB", 5)).isEqualTo(1);
        assertThatThrownBy(() -> t.putIfAbsent("new", 7)).isInstanceOf(IllegalArgumentException.class);
        assertThat(t.get("$AaB", 1, 4)).isEqualTo(-1);
        assertThat(t.get("$A", 1, 2)).isEqualTo(-1);
        assertThat(t.get("$", 1, 1)).isEqualTo(-1);
    }

    @Test
    void idTableGrowsItsCharactersAndStillFindsEveryId() {
        int n = 3_000;
        IdTable t = new IdTable(n);
        for (int i = 0; i < n; i++) {
            assertThat(t.putIfAbsent("task-" + "x".repeat(i % 40) + i, i)).isEqualTo(-1);
        }
        for (int i = 0; i < n; i++) {
            String id = "task-" + "x".repeat(i % 40) + i;
            assertThat(t.get("$" + id + ".out", 1, 1 + id.length())).isEqualTo(i);
            assertThat(t.get(id)).isEqualTo(i);
            assertThat(t.get("$" + id + "9", 1, 2 + id.length())).isNotEqualTo(i);
        }
    }

    @Test
    void aProblemOfARepeatedTextIsReportedAtEverySite() {
        Plan p = Plan.builder().params(Map.of("p", Map.of("q", 1)))
                .task("a", "s", map("x", "$task0.p.q", "y", "$task0.p.nope", "z", "$task0.p.q"))
                .task("b", "s", map("x", "$task0.p.nope", "y", "$task0.p.q", "z", "$task0.p"))
                .task("c", "s", map("x", "$task0.p.nope", "self", "$c.out"))
                .build();
        ValidationResult r = PlanValidator.defaults().validate(p);
        assertThat(r.errors()).extracting(ValidationError::code, ValidationError::path).containsExactly(
                tuple(ValidationCode.DANGLING_REFERENCE, "/tasks/1/input/y"),
                tuple(ValidationCode.DANGLING_REFERENCE, "/tasks/2/input/x"),
                tuple(ValidationCode.DANGLING_REFERENCE, "/tasks/3/input/x"),
                tuple(ValidationCode.SELF_REFERENCE, "/tasks/3/input/self"));
        assertThat(r.errors().get(0).message()).contains("have no '$task0.p.nope'");
        Plan noParams = Plan.builder().task("a", "s", map("x", "$task0", "y", "$task0.p")).build();
        assertThat(PlanValidator.defaults().validate(noParams).errors()).extracting(ValidationError::path)
                .containsExactly("/tasks/0/input/x", "/tasks/0/input/y");
    }

    @Test
    void limitProblemsOfATaskComeBeforeItsReferenceProblemsThenItsDependsOn() {
        Map<String, Object> input = map("bad", "$a b", "nested", map("list", List.of("$ghost", "x".repeat(50))),
                "k".repeat(41), "$ghost", "self", "$a");
        Plan p = Plan.of(List.of(new Task("a", "s", input, List.of("nowhere"))), List.of());
        PlanValidator v = PlanValidator.builder().limits(ValidationLimits.builder().maxStringLength(40).build()).build();
        ValidationResult r = v.validate(p);
        assertThat(r.errors()).extracting(ValidationError::code, ValidationError::path).containsExactly(
                tuple(ValidationCode.LIMIT_EXCEEDED, "/tasks/0/input/nested/list/1"),
                tuple(ValidationCode.LIMIT_EXCEEDED, "/tasks/0/input/" + "k".repeat(41)),
                tuple(ValidationCode.INVALID_REFERENCE, "/tasks/0/input/bad"),
                tuple(ValidationCode.DANGLING_REFERENCE, "/tasks/0/input/nested/list/0"),
                tuple(ValidationCode.SELF_REFERENCE, "/tasks/0/input/self"),
                tuple(ValidationCode.DANGLING_REFERENCE, "/tasks/0/depends_on/0"));
    }

    @Test
    void aCycleIsLocatedAtTheFirstReferenceThatCountsWithEscapedPointers() {
        // in a: a malformed reference, one beyond the depth limit and one in an over-long string name b, but only
        // the one under "x/y" -> list -> "~" is an edge, so the cycle is reported there
        Object tooDeep = "$b.v";
        for (int i = 0; i < 5; i++) {
            tooDeep = List.of(tooDeep);
        }
        Map<String, Object> a = map("m", "$b.v w", "deep", tooDeep, "long", "$b." + "v".repeat(40),
                "x/y", List.of(1, map("~", "$b.v")), "later", "$b");
        Plan p = Plan.builder()
                .task("a", "s", a)
                .task("b", "s", map("back", "$a"))
                .build();
        PlanValidator v = PlanValidator.builder()
                .limits(ValidationLimits.builder().maxDepth(4).maxStringLength(40).build()).build();
        ValidationResult r = v.validate(p);
        assertThat(r.errors()).filteredOn(e -> e.code() == ValidationCode.CYCLE)
                .extracting(ValidationError::path, ValidationError::message)
                .containsExactly(tuple("/tasks/0/input/x~1y/1/~0", "tasks wait for each other in a cycle: a -> b -> a"));
        // with depends_on only, the entry is the location
        Plan viaDependsOn = Plan.of(List.of(
                new Task("a", "s", map("m", "$b w"), List.of("c", "b")),
                new Task("b", "s", Map.of(), List.of("a")),
                new Task("c", "s", Map.of(), List.of())), List.of());
        assertThat(PlanValidator.defaults().validate(viaDependsOn).errors())
                .filteredOn(e -> e.code() == ValidationCode.CYCLE).extracting(ValidationError::path)
                .containsExactly("/tasks/0/depends_on/1");
    }

    @Test
    void graphReferencesAreParsedOnRequestInDocumentOrder() {
        Plan p = Plan.builder().params(Map.of("id", 7))
                .task("a", "s", Map.of())
                .task("b", "s", map("x", "$task0.id", "n", map("a/b", List.of("lit", "$a.items[2].id")), "e", "$$5",
                        "w", "$a"))
                .build();
        PlanGraph g = PlanValidator.defaults().validate(p).graph().orElseThrow();
        List<ReferenceSite> sites = g.references(1);
        assertThat(sites).extracting(ReferenceSite::pointer).containsExactly("/x", "/n/a~1b/1", "/w");
        assertThat(sites.get(1).reference()).isEqualTo(new Reference("a",
                List.of(new PathSegment.Key("items"), new PathSegment.Index(2), new PathSegment.Key("id"))));
        assertThat(sites.get(0).reference().isParams()).isTrue();
        assertThat(g.references(1)).isEqualTo(sites);
        assertThat(g.references(0)).isEmpty();
        assertThatThrownBy(() -> sites.add(sites.get(0))).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void theDeepestAllowedInputIsWalkedOnASmallStack() throws Exception {
        Object deep = "$a.v";
        for (int i = 0; i < 890; i++) {
            deep = i % 2 == 0 ? Map.of("k", deep) : List.of(deep);
        }
        Plan p = Plan.builder()
                .task("a", "s", map("back", "$b"))
                .task("b", "s", map("deep", deep))
                .build();
        PlanValidator v = PlanValidator.builder().limits(ValidationLimits.builder().maxDepth(900).build()).build();
        AtomicReference<Object> out = new AtomicReference<>();
        Thread t = new Thread(null, () -> {
            try {
                out.set(v.validate(p));
            } catch (Throwable e) {
                out.set(e);
            }
        }, "small-stack", 512 * 1024);
        t.start();
        t.join();
        assertThat(out.get()).isInstanceOf(ValidationResult.class);
        ValidationResult r = (ValidationResult) out.get();
        assertThat(r.errors()).extracting(ValidationError::code).containsExactly(ValidationCode.CYCLE);
        assertThat(r.errors().get(0).path()).startsWith("/tasks/0/input/back");
        // the deep side of the cycle is located too: from b's point of view
        List<String> expected = new ArrayList<>();
        for (int i = 889; i >= 0; i--) {
            expected.add(i % 2 == 0 ? "k" : "0");
        }
        Plan flipped = Plan.builder()
                .task("b", "s", map("deep", deep))
                .task("a", "s", map("back", "$b"))
                .build();
        ValidationResult f = v.validate(flipped);
        assertThat(f.errors().get(0).path()).isEqualTo("/tasks/0/input/deep/" + String.join("/", expected));
    }
}
