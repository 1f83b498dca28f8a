package dev.baton.json;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class JacksonValueMapperTest {

    record Item(String sku, int quantity) {
    }

    record Order(String id, List<Item> items) {
    }

    @Test
    void turnsRecordsIntoPlainJson() {
        Object json = new JacksonValueMapper().toJson(new Order("o1", List.of(new Item("a", 2))));
        assertThat(json).isEqualTo(Map.of("id", "o1", "items", List.of(Map.of("sku", "a", "quantity", 2))));
    }

    @Test
    void plainValuesStayPlain() {
        JacksonValueMapper m = new JacksonValueMapper(new com.fasterxml.jackson.databind.ObjectMapper());
        assertThat(m.toJson("x")).isEqualTo("x");
        assertThat(m.toJson(Map.of("k", List.of(1, true)))).isEqualTo(Map.of("k", List.of(1, true)));
    }

    record Blob(String name, byte[] data) {
    }

    record Reading(double value) {
    }

    @Test
    void bytesBecomeBase64TextAJsonValue() {
        Object json = new JacksonValueMapper().toJson(new Blob("b", new byte[] {1, 2, 3}));
        assertThat(json).isEqualTo(Map.of("name", "b", "data", "AQID"));
    }

    @Test
    void whatJsonCannotHoldIsAnIllegalArgumentNotAStackOverflowOrANonJsonValue() {
        JacksonValueMapper m = new JacksonValueMapper();
        java.util.Map<String, Object> cyclic = new java.util.HashMap<>();
        cyclic.put("self", cyclic);
        List<Object> deep = new java.util.ArrayList<>();
        List<Object> at = deep;
        for (int i = 0; i < 5_000; i++) {
            List<Object> next = new java.util.ArrayList<>();
            at.add(next);
            at = next;
        }
        for (Object v : List.of(cyclic, deep, new Reading(Double.NaN), new Reading(Double.POSITIVE_INFINITY))) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> m.toJson(v))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aNumberPastTheBoundsPlanJsonReadsIsAnIllegalArgumentAndOneAtThemMapsToItself() {
        JacksonValueMapper m = new JacksonValueMapper();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> m.toJson(Map.of("x", new java.math.BigDecimal("1e1001"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("the limit of 1000 places");
        assertThat(m.toJson(Map.of("x", new java.math.BigDecimal("1e1000"))))
                .isEqualTo(Map.of("x", new java.math.BigDecimal("1e1000")));
    }
}
