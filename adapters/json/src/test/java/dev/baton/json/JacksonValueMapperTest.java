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
}
