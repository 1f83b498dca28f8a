package dev.baton.integration;

import dev.baton.planner.DefinitionRepository;
import dev.baton.planner.tck.DefinitionRepositoryContractTest;
import dev.baton.store.DefinitionStoreRepository;
import dev.baton.store.InMemoryRunStore;
import dev.baton.store.jdbc.JdbcRunStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * Every {@link DefinitionRepository} passes the definition repository kit: the in-memory one, and the core's
 * repository over a run store's definitions, on the in-memory store and on the embedded H2 file store. Here, not in
 * the planner SPI or the core, because the kit depends on the core.
 */
class DefinitionRepositoryContractTests {

    @Nested
    class InMemory extends DefinitionRepositoryContractTest {
        @Override
        protected DefinitionRepository createRepository() {
            return DefinitionRepository.inMemory();
        }
    }

    @Nested
    class OverTheInMemoryStore extends DefinitionRepositoryContractTest {
        @Override
        protected DefinitionRepository createRepository() {
            return DefinitionStoreRepository.of((dev.baton.persistence.RunStore) new InMemoryRunStore());
        }
    }

    @Nested
    class OverTheEmbeddedH2Store extends DefinitionRepositoryContractTest {
        @TempDir
        Path dir;
        private JdbcRunStore store;

        @Override
        protected DefinitionRepository createRepository() {
            store = JdbcRunStore.embedded(dir);
            return DefinitionStoreRepository.of((dev.baton.persistence.RunStore) store);
        }

        @AfterEach
        void closeStore() {
            store.close();
        }
    }
}
