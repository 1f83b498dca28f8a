package dev.baton.store;

import dev.baton.plan.Plan;
import dev.baton.planner.DefinitionConflictException;
import dev.baton.planner.DefinitionParameter;
import dev.baton.planner.DefinitionRepository;
import dev.baton.planner.PlanDefinition;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DefinitionStoreRepositoryTest {

    private static final Plan TEMPLATE = Plan.builder()
            .task("task1", "customer-service", Map.of("customerId", "$task0.customerId", "limit", 5))
            .build();

    @Test
    void definitionsRoundTripThroughTheStore() {
        DefinitionRepository repo = DefinitionStoreRepository.of((dev.baton.persistence.RunStore) new InMemoryRunStore());
        PlanDefinition v1 = PlanDefinition.of("assist", 1, TEMPLATE, DefinitionParameter.required("customerId"));
        assertThat(repo.save(v1)).isTrue();
        assertThat(repo.save(v1)).isFalse();
        assertThatThrownBy(() -> repo.save(PlanDefinition.of("assist", 1, TEMPLATE)))
                .isInstanceOf(DefinitionConflictException.class);
        PlanDefinition v2 = PlanDefinition.of("assist", 2, TEMPLATE, DefinitionParameter.optional("x", "y"));
        repo.save(v2);
        assertThat(repo.get("assist", 1)).contains(v1);
        assertThat(repo.latest("assist")).contains(v2);
        assertThat(repo.list()).containsExactly(v1, v2);
    }
}
