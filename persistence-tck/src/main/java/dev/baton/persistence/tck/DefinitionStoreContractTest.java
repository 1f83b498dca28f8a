package dev.baton.persistence.tck;

import dev.baton.persistence.DefinitionStore;
import dev.baton.persistence.StoredDefinition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract of the optional {@link DefinitionStore} capability. A store that has it extends this class once and
 * says how to make a fresh, empty store:
 *
 * <pre>{@code
 * class MyDefinitionStoreTest extends DefinitionStoreContractTest {
 *     @Override
 *     protected DefinitionStore createStore() {
 *         return new MyRunStore(...);
 *     }
 * }
 * }</pre>
 */
public abstract class DefinitionStoreContractTest {

    /** The store under test, made fresh for each test. */
    protected DefinitionStore store;

    /**
     * Makes a fresh store with no definitions in it.
     *
     * @return the store; closed by the kit after each test when it is {@link AutoCloseable}
     * @throws Exception if it cannot be made
     */
    protected abstract DefinitionStore createStore() throws Exception;

    /** @throws Exception if the store cannot be made */
    @BeforeEach
    void setUpStore() throws Exception {
        store = createStore();
    }

    /** @throws Exception if the store cannot be closed */
    @AfterEach
    void closeStore() throws Exception {
        if (store instanceof AutoCloseable c) {
            c.close();
        }
    }

    private static StoredDefinition definition(String name, int version, String service) {
        Map<String, Object> task = new LinkedHashMap<>();
        task.put("id", "task1");
        task.put("service", service);
        task.put("input", Map.of("id", "$task0.id", "n", 3, "ratio", 0.5, "flags", List.of(true, false),
                "none", new LinkedHashMap<>()));
        Map<String, Object> content = new LinkedHashMap<>();
        content.put("name", name);
        content.put("version", version);
        content.put("parameters", List.of(Map.of("name", "id", "required", true, "description", "the id")));
        content.put("plan", Map.of("tasks", List.of(task)));
        return new StoredDefinition(name, version, content);
    }

    @Test
    void savedDefinitionReadsBackEqual() {
        StoredDefinition d = definition("assist", 1, "svc");
        assertThat(store.saveDefinition(d)).isTrue();
        assertThat(store.definition("assist", 1)).contains(d);
        assertThat(store.latestDefinition("assist")).contains(d);
    }

    @Test
    void missingDefinitionsAreEmpty() {
        assertThat(store.definition("nope", 1)).isEmpty();
        assertThat(store.latestDefinition("nope")).isEmpty();
        assertThat(store.definitions()).isEmpty();
    }

    @Test
    void savingAnExistingVersionNeverOverwrites() {
        StoredDefinition first = definition("assist", 1, "svc");
        store.saveDefinition(first);
        assertThat(store.saveDefinition(definition("assist", 1, "other"))).isFalse();
        assertThat(store.saveDefinition(first)).isFalse();
        assertThat(store.definition("assist", 1)).contains(first);
    }

    @Test
    void latestIsTheHighestVersionAndListIsOrdered() {
        store.saveDefinition(definition("b", 2, "svc"));
        store.saveDefinition(definition("b", 10, "svc"));
        store.saveDefinition(definition("a", 1, "svc"));
        store.saveDefinition(definition("b", 9, "svc"));
        assertThat(store.latestDefinition("b").orElseThrow().version()).isEqualTo(10);
        assertThat(store.definitions()).extracting(d -> d.name() + "@" + d.version())
                .containsExactly("a@1", "b@2", "b@9", "b@10");
        assertThat(store.definition("b", 9)).contains(definition("b", 9, "svc"));
    }

    @Test
    void namesAreOrderedByCodePointWhateverTheDatabasesLocale() {
        // a database collating by locale would put "a" before "B" and ignore the punctuation
        for (String name : List.of("b", "a_b", "B", "a:b", "a.b", "a", "a-b", "A")) {
            store.saveDefinition(definition(name, 1, "svc"));
        }
        assertThat(store.definitions()).extracting(StoredDefinition::name)
                .containsExactly("A", "B", "a", "a-b", "a.b", "a:b", "a_b", "b");
    }

    @Test
    void concurrentSavesOfOneVersionKeepExactlyOne() throws Exception {
        int n = 8;
        CyclicBarrier barrier = new CyclicBarrier(n);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                StoredDefinition d = definition("race", 1, "svc" + i);
                Callable<Boolean> save = () -> {
                    barrier.await(10, TimeUnit.SECONDS);
                    return store.saveDefinition(d);
                };
                results.add(pool.submit(save));
            }
            int saved = 0;
            for (Future<Boolean> f : results) {
                saved += f.get(30, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertThat(saved).isEqualTo(1);
            assertThat(store.definitions()).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }
}
