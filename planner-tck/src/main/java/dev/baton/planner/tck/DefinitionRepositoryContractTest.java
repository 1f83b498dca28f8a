package dev.baton.planner.tck;

import dev.baton.plan.Plan;
import dev.baton.planner.DefinitionConflictException;
import dev.baton.planner.DefinitionParameter;
import dev.baton.planner.DefinitionRepository;
import dev.baton.planner.PlanDefinition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract every {@link DefinitionRepository} honours, as {@code DefinitionPlanner} relies on it. A repository's
 * test extends this class once and says how to make a fresh, empty one:
 *
 * <pre>{@code
 * class MyDefinitionRepositoryTest extends DefinitionRepositoryContractTest {
 *     @Override
 *     protected DefinitionRepository createRepository() {
 *         return new MyDefinitionRepository(...);
 *     }
 * }
 * }</pre>
 *
 * <p>What it checks: a saved definition reads back equal (template, values and parameters); saving the identical
 * definition again is a no-op and other content under the same name and version is a
 * {@link DefinitionConflictException} that leaves the saved one as it was; {@code latest} is the highest version
 * whatever the order of saving; {@code list} is ordered by name (code point order) then version; and under concurrent
 * saves exactly one save of a version wins. Concurrency is coordinated with barriers, never with sleeps.
 */
public abstract class DefinitionRepositoryContractTest {

    /** The repository under test, made fresh for each test. */
    protected DefinitionRepository repository;

    /**
     * Makes a fresh repository with no definitions in it.
     *
     * @return the repository; closed by the kit after each test when it is {@link AutoCloseable}
     * @throws Exception if it cannot be made
     */
    protected abstract DefinitionRepository createRepository() throws Exception;

    @BeforeEach
    final void setUpRepository() throws Exception {
        repository = createRepository();
    }

    @AfterEach
    final void closeRepository() throws Exception {
        if (repository instanceof AutoCloseable c) {
            c.close();
        }
    }

    @Test
    void aNewRepositoryHasNothing() {
        assertThat(repository.list()).isEmpty();
        assertThat(repository.get("assist", 1)).isEmpty();
        assertThat(repository.latest("assist")).isEmpty();
    }

    @Test
    void aSavedDefinitionReadsBackEqualWithEveryValueAndParameter() {
        PlanDefinition saved = definition("assist", 1, "customer-service");

        assertThat(repository.save(saved)).isTrue();

        assertThat(repository.get("assist", 1)).contains(saved);
        assertThat(repository.latest("assist")).contains(saved);
        assertThat(repository.list()).containsExactly(saved);
        assertThat(repository.get("assist", 2)).as("another version").isEmpty();
        assertThat(repository.get("assist-2", 1)).as("another name").isEmpty();
    }

    @Test
    void savingTheIdenticalDefinitionAgainDoesNothing() {
        assertThat(repository.save(definition("assist", 1, "customer-service"))).isTrue();

        assertThat(repository.save(definition("assist", 1, "customer-service"))).as("an equal copy").isFalse();
        assertThat(repository.list()).hasSize(1);
    }

    @Test
    void otherContentUnderASavedNameAndVersionIsAConflictThatChangesNothing() {
        PlanDefinition first = definition("assist", 1, "customer-service");
        repository.save(first);

        assertThatThrownBy(() -> repository.save(definition("assist", 1, "other-service")))
                .isInstanceOf(DefinitionConflictException.class)
                .hasMessageContaining("assist");
        assertThatThrownBy(() -> repository.save(PlanDefinition.of("assist", 1, first.template())))
                .as("the same template without its parameters")
                .isInstanceOf(DefinitionConflictException.class);

        assertThat(repository.get("assist", 1)).contains(first);
        assertThat(repository.list()).containsExactly(first);
    }

    @Test
    void latestIsTheHighestVersionWhateverTheOrderOfSaving() {
        for (int version : new int[]{3, 1, 10, 2, 9}) {
            repository.save(definition("assist", version, "svc-" + version));
        }
        repository.save(definition("other", 100, "svc"));

        assertThat(repository.latest("assist")).contains(definition("assist", 10, "svc-10"));
        assertThat(repository.get("assist", 9)).contains(definition("assist", 9, "svc-9"));
    }

    @Test
    void listIsOrderedByNameInCodePointOrderThenByVersion() {
        for (String name : List.of("b", "a_b", "B", "a:b", "a.b", "a", "a-b", "A")) {
            repository.save(definition(name, 2, "svc"));
            repository.save(definition(name, 1, "svc"));
        }
        repository.save(definition("a", 10, "svc"));

        assertThat(repository.list()).extracting(d -> d.name() + "@" + d.version()).containsExactly(
                "A@1", "A@2", "B@1", "B@2", "a@1", "a@2", "a@10", "a-b@1", "a-b@2", "a.b@1", "a.b@2", "a:b@1",
                "a:b@2", "a_b@1", "a_b@2", "b@1", "b@2");
    }

    @Test
    void concurrentSavesOfOneVersionKeepExactlyOne() throws Exception {
        int threads = 8;
        List<Object> outcomes = race(threads, i -> repository.save(definition("assist", 1, "svc-" + (i % 2))));

        long saved = outcomes.stream().filter(Boolean.TRUE::equals).count();
        long equalCopies = outcomes.stream().filter(Boolean.FALSE::equals).count();
        long conflicts = outcomes.stream().filter(o -> o instanceof DefinitionConflictException).count();
        assertThat(saved).as("saves that won").isEqualTo(1);
        assertThat(saved + equalCopies + conflicts).as("every other save was a copy or a conflict").isEqualTo(threads);
        PlanDefinition kept = repository.get("assist", 1).orElseThrow();
        assertThat(kept).isIn(definition("assist", 1, "svc-0"), definition("assist", 1, "svc-1"));
        assertThat(conflicts).as("saves of the other content").isEqualTo(threads / 2);
        assertThat(repository.list()).containsExactly(kept);
    }

    @Test
    void concurrentSavesOfManyVersionsKeepThemAll() throws Exception {
        int threads = 8;
        List<Object> outcomes = race(threads, i -> {
            for (int v = 1; v <= 10; v++) {
                repository.save(definition("assist", i * 10 + v, "svc"));
            }
            return true;
        });

        assertThat(outcomes).containsOnly(true);
        assertThat(repository.list()).hasSize(threads * 10);
        assertThat(repository.latest("assist").orElseThrow().version()).isEqualTo(threads * 10);
    }

    /** A body run by one thread of a race. */
    @FunctionalInterface
    protected interface RaceBody {
        /**
         * @param thread the thread's number, from 0
         * @return what the thread saw
         * @throws Exception what the thread threw
         */
        Object run(int thread) throws Exception;
    }

    /**
     * Runs {@code body} on {@code threads} threads released together.
     *
     * @param threads how many threads
     * @param body    what each runs
     * @return per thread, what it returned or the exception it threw
     * @throws Exception if the race cannot be run
     */
    protected static List<Object> race(int threads, RaceBody body) throws Exception {
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Object>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int thread = i;
                futures.add(pool.submit(() -> {
                    start.await();
                    return body.run(thread);
                }));
            }
            List<Object> outcomes = new ArrayList<>();
            for (Future<Object> f : futures) {
                try {
                    outcomes.add(f.get(60, TimeUnit.SECONDS));
                } catch (ExecutionException e) {
                    outcomes.add(e.getCause());
                }
            }
            return outcomes;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * A definition with nested values of every JSON kind in its template, a required and an optional parameter.
     *
     * @param name    its name
     * @param version its version
     * @param service the service its first task names; different services make different content
     * @return the definition
     */
    protected static PlanDefinition definition(String name, int version, String service) {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("customerId", "$task0.customerId");
        input.put("limit", 5);
        input.put("ratio", 0.25);
        input.put("flags", Arrays.asList(true, false, null));
        input.put("nested", Map.of("text", "Grüße \"quoted\"", "list", List.of(1, 2)));
        Plan template = Plan.builder()
                .task("task1", service, input)
                .task("task2", "ai-agent", Map.of("customer", "$task1", "tone", "$task0.tone"))
                .build();
        return PlanDefinition.of(name, version, template, DefinitionParameter.required("customerId"),
                DefinitionParameter.optional("tone", "friendly"));
    }
}
