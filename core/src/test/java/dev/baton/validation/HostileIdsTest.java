package dev.baton.validation;

import dev.baton.plan.Plan;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Task ids come from the caller, who may choose them to collide or to crowd one stretch of the id table: the table
 * then stays correct, and no look-up reads more than {@link IdTable#MAX_PROBES} slots.
 */
class HostileIdsTest {

    /** {@code 2^blocks} distinct ids of {@code 2 * blocks} letters, all with one {@code String.hashCode}. */
    static List<String> collidingIds(int blocks) {
        List<String> out = new ArrayList<>(1 << blocks);
        for (int bits = 0; bits < 1 << blocks; bits++) {
            StringBuilder b = new StringBuilder(2 * blocks);
            for (int i = 0; i < blocks; i++) {
                b.append((bits >>> i & 1) == 0 ? "Aa" : "BB");
            }
            out.add(b.toString());
        }
        return out;
    }

    @Test
    void idsThatAllShareOneHashAreStillFoundAndTheTableFallsBack() {
        List<String> all = collidingIds(14);
        assertThat(all.stream().mapToInt(String::hashCode).distinct().count()).isEqualTo(1);
        List<String> ids = all.subList(0, all.size() - 100); // the last 100 collide too, but are never added
        IdTable t = new IdTable(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            assertThat(t.putIfAbsent(ids.get(i), i)).isEqualTo(-1);
        }
        assertThat(t.degraded()).isTrue();
        assertThat(t.putIfAbsent(ids.get(7), ids.size())).isEqualTo(7);
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            assertThat(t.get(id)).isEqualTo(i);
            assertThat(t.get("$" + id + ".x", 1, 1 + id.length())).isEqualTo(i);
        }
        for (String missing : all.subList(ids.size(), all.size())) {
            assertThat(t.get(missing)).isEqualTo(-1);
            assertThat(t.get("$" + missing, 1, 1 + missing.length())).isEqualTo(-1);
        }
    }

    @Test
    void idsOfDistinctHashesCrowdedOntoOneHomeSlotAreBoundedToo() {
        // 300 ids give a table of 1,024 slots; find ids whose distinct hashes all land on slot 0
        int n = 300;
        int mask = 1023;
        assertThat(new IdTable(n)).isNotNull();
        List<String> crowd = new ArrayList<>();
        for (int i = 0; crowd.size() < 100; i++) {
            String id = "x" + i;
            if ((IdTable.spread(id.hashCode()) & mask) == 0) {
                crowd.add(id);
            }
        }
        assertThat(crowd.stream().mapToInt(String::hashCode).distinct().count()).isEqualTo(crowd.size());
        List<String> ids = new ArrayList<>(crowd);
        for (int i = 0; ids.size() < n; i++) {
            ids.add("y" + i);
        }
        IdTable t = new IdTable(n);
        for (int i = 0; i < n; i++) {
            assertThat(t.putIfAbsent(ids.get(i), i)).isEqualTo(-1);
        }
        assertThat(t.degraded()).as("the 65th id on one home slot would be placed too far").isTrue();
        for (int i = 0; i < n; i++) {
            assertThat(t.get(ids.get(i))).isEqualTo(i);
        }
        assertThat(t.get("x-missing")).isEqualTo(-1);
    }

    @Test
    void honestIdsNeverReachTheBound() {
        int n = 100_000;
        IdTable sequential = new IdTable(n);
        IdTable random = new IdTable(n);
        Random rnd = new Random(42);
        for (int i = 0; i < n; i++) {
            sequential.putIfAbsent("task" + i, i);
            StringBuilder b = new StringBuilder();
            for (int c = 0; c < 12; c++) {
                b.append((char) ('a' + rnd.nextInt(26)));
            }
            random.putIfAbsent(b + "-" + i, i);
        }
        assertThat(sequential.degraded()).isFalse();
        assertThat(random.degraded()).isFalse();
        for (int i = 0; i < n; i += 997) {
            assertThat(sequential.get("task" + i)).isEqualTo(i);
        }
    }

    @Test
    void messagesQuoteALongOrControlCharacterIdShortenedAndOnOneLine() {
        String longId = "x".repeat(200_000);
        String twoLines = "evil\nFORGED_LINE \u202e\u0007";
        Plan p = Plan.builder()
                .task(longId, "", Map.of())
                .task(twoLines, "s", Map.of("self", "$" + twoLines))
                .task("ok", "s", Map.of())
                .task("ok", "s", Map.of("key\nwith a line break", "$ok.x"))
                .build();
        ValidationResult r = PlanValidator.defaults().validate(p);
        assertThat(r.errors()).isNotEmpty();
        assertThat(r.errors()).extracting(ValidationError::taskId).contains(longId, twoLines);
        for (ValidationError e : r.errors()) {
            assertThat(e.message()).as(e.code().name()).hasSizeLessThan(400).doesNotContain("\n", "\u202e", "\u0007");
            assertThat(e.toString()).hasSizeLessThan(600).doesNotContain("\n", "\u202e");
        }
        assertThat(r.errors().toString()).contains("evil\\nFORGED_LINE \\u202e\\u0007", "x".repeat(80) + "...");
        assertThat(ValidationRun.abbreviate("a".repeat(79) + "\ud83d\ude00" + "b")).isEqualTo("a".repeat(79) + "...");
        assertThat(ValidationRun.abbreviate("a".repeat(78) + "\ud83d\ude00")).isEqualTo("a".repeat(78) + "\ud83d\ude00");
    }

    @Test
    void groupAndCycleMessagesQuoteIdsShortenedAndOnOneLineToo() {
        String evil = "evil\nFORGED_LINE \u202e" + "x".repeat(1_000);
        String other = "other\r\n" + "y".repeat(1_000);
        Plan missing = Plan.builder().task(evil, "s", Map.of()).task("b", "s", Map.of())
                .parallelGroups(List.of(List.of("b"))).build();
        Plan order = Plan.builder().task(evil, "s", Map.of()).task(other, "s", Map.of(), List.of(evil))
                .parallelGroups(List.of(List.of(other), List.of(evil))).build();
        Plan cycle = Plan.builder().task(evil, "s", Map.of(), List.of(other)).task(other, "s", Map.of(), List.of(evil))
                .build();
        for (Plan p : List.of(missing, order, cycle)) {
            List<ValidationError> errors = PlanValidator.defaults().validate(p).errors();
            assertThat(errors).isNotEmpty();
            for (ValidationError e : errors) {
                assertThat(e.message()).as(e.code().name()).hasSizeLessThan(400)
                        .doesNotContain("\n", "\r", "\u202e");
                assertThat(e.toString()).as(e.code().name()).doesNotContain("\n", "\r", "\u202e");
            }
        }
        assertThat(PlanValidator.defaults().validate(missing).errors()).extracting(ValidationError::code)
                .contains(ValidationCode.GROUP_MISSING_TASK);
        assertThat(PlanValidator.defaults().validate(order).errors()).extracting(ValidationError::code)
                .contains(ValidationCode.GROUP_ORDER);
        assertThat(PlanValidator.defaults().validate(cycle).errors()).extracting(ValidationError::code)
                .contains(ValidationCode.CYCLE);
    }

    @Test
    void aPlanOfCollidingIdsValidatesWithItsReferencesResolved() {
        List<String> ids = collidingIds(13); // 8,192 tasks
        Plan.Builder b = Plan.builder();
        b.task(ids.get(0), "s", Map.of());
        for (int i = 1; i < ids.size(); i++) {
            // each task reads the one before it and the first one
            b.task(ids.get(i), "s", Map.of("prev", "$" + ids.get(i - 1) + ".out", "first", "$" + ids.get(0)));
        }
        ValidationResult r = PlanValidator.defaults().validate(b.build());
        assertThat(r.errors()).isEmpty();
        PlanGraph g = r.graph().orElseThrow();
        assertThat(g.dependencies(ids.size() - 1)).containsExactlyInAnyOrder(ids.size() - 2, 0);
        assertThat(g.dependencies(1)).containsExactly(0);

        Plan dangling = Plan.builder().task(ids.get(0), "s", Map.of())
                .task(ids.get(1), "s", Map.of("x", "$" + ids.get(2))).build();
        assertThat(PlanValidator.defaults().validate(dangling).errors()).extracting(ValidationError::code)
                .containsExactly(ValidationCode.DANGLING_REFERENCE);
    }
}
