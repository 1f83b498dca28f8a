package dev.baton.plan;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PlanTest {

    @Test
    void builderPutsParamsFirstAndFreezesEverything() {
        Map<String, Object> input = new HashMap<>();
        input.put("list", new ArrayList<>(List.of(1, 2)));
        Plan plan = Plan.builder()
                .task("task1", "s", input)
                .params(Map.of("k", "v"))
                .task("task2", "s", Map.of(), List.of("task1"))
                .parallelGroups(List.of(List.of("task1"), List.of("task2")))
                .build();
        assertThat(plan.tasks()).extracting(Task::id).containsExactly("task0", "task1", "task2");
        assertThat(plan.params()).containsEntry("k", "v");
        assertThat(plan.task("task2").orElseThrow().dependsOn()).containsExactly("task1");
        assertThat(plan.task("missing")).isEmpty();
        assertThat(plan.hasParallelGroups()).isTrue();
        input.put("later", 1);
        assertThat(plan.task("task1").orElseThrow().input()).doesNotContainKey("later");
        assertThatThrownBy(() -> plan.tasks().add(Task.of("x", "s", Map.of()))).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> plan.task("task1").orElseThrow().input().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
        @SuppressWarnings("unchecked")
        List<Object> frozenList = (List<Object>) plan.task("task1").orElseThrow().input().get("list");
        assertThatThrownBy(() -> frozenList.add(3)).isInstanceOf(UnsupportedOperationException.class);
        assertThat(plan.withParallelGroups(List.of()).hasParallelGroups()).isFalse();
        assertThat(plan.toString()).contains("3 tasks").contains("2 groups");
    }

    @Test
    void equalByValue() {
        Plan a = Plan.builder().task("t", "s", Map.of("x", 1)).build();
        Plan b = Plan.builder().task("t", "s", Map.of("x", 1)).build();
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(Plan.builder().task("t", "s", Map.of("x", 2)).build());
        assertThat(Plan.builder().build().params()).isEmpty();
    }

    @Test
    void nullsAreRejectedEarly() {
        assertThatThrownBy(() -> Plan.builder().task("t", null, Map.of())).hasMessageContaining("service");
        assertThatThrownBy(() -> Plan.of(null, List.of())).isInstanceOf(NullPointerException.class);
        List<String> withNull = new ArrayList<>();
        withNull.add(null);
        assertThatThrownBy(() -> Plan.of(List.of(), List.of(withNull))).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new Task(null, "s", Map.of(), null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void visitReferencesFindsNestedOnesWithPointers() {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("a", "$t1");
        input.put("lit", "$$5");
        input.put("nested", Map.of("x/y", List.of("plain", "$t2.k")));
        input.put("text", "costs $5");
        List<String> seen = new ArrayList<>();
        Task.of("t", "s", input).visitReferences((pointer, text) -> seen.add(pointer + "=" + text));
        assertThat(seen).containsExactly("/a=$t1", "/nested/x~1y/1=$t2.k");
    }

    @Test
    void jsonValues() {
        assertThat(JsonValues.freeze(null)).isNull();
        assertThat(JsonValues.freeze(new BigDecimal("1.10"))).isEqualTo(new BigDecimal("1.10"));
        assertThatThrownBy(() -> JsonValues.freeze(Double.NaN)).hasMessageContaining("finite");
        assertThatThrownBy(() -> JsonValues.freeze(Map.of("k", new Object()))).hasMessageContaining("/k");
        assertThatThrownBy(() -> JsonValues.freeze(Map.of(1, "v"))).hasMessageContaining("not a string");
        Object deep = "x";
        for (int i = 0; i < JsonValues.MAX_DEPTH + 5; i++) {
            deep = List.of(deep);
        }
        Object tooDeep = deep;
        assertThatThrownBy(() -> JsonValues.freeze(tooDeep)).hasMessageContaining("deeper");
        assertThat(JsonValues.escape("a~b/c")).isEqualTo("a~0b~1c");
        assertThat(JsonValues.typeName(1L)).isEqualTo("integer");
        assertThat(JsonValues.typeName(1.5)).isEqualTo("number");
        assertThat(JsonValues.typeName(List.of())).isEqualTo("array");
        assertThat(JsonValues.typeName(null)).isEqualTo("null");
        assertThat(JsonValues.isJsonType(new Object())).isFalse();
        Object frozen = JsonValues.freeze(Map.of("a", List.of(1)));
        assertThat(JsonValues.freeze(frozen)).isSameAs(frozen);
    }

    @Test
    void aFrozenObjectWalksItsMembersInOrderWithoutGivingAWayToChangeThem() {
        Map<String, Object> in = new LinkedHashMap<>();
        in.put("z", 1);
        in.put("a", List.of(2));
        in.put("m", null);
        Map<String, Object> frozen = JsonValues.freezeObject(in);
        List<String> seen = new ArrayList<>();
        frozen.forEach((k, v) -> seen.add(k + "=" + v));
        assertThat(seen).containsExactly("z=1", "a=[2]", "m=null");
        List<String> viaEntries = new ArrayList<>();
        frozen.entrySet().forEach(e -> viaEntries.add(e.getKey() + "=" + e.getValue()));
        assertThat(seen).isEqualTo(viaEntries);
        frozen.forEach((k, v) -> assertThatThrownBy(() -> frozen.put(k, 0)).isInstanceOf(UnsupportedOperationException.class));
        assertThat(frozen).containsEntry("z", 1);
    }
}
