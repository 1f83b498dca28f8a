package dev.baton.store;

import dev.baton.persistence.DefinitionStore;
import dev.baton.persistence.tck.DefinitionStoreContractTest;

/** The definition-store contract against the in-memory store. */
class InMemoryDefinitionStoreTest extends DefinitionStoreContractTest {

    @Override
    protected DefinitionStore createStore() {
        return new InMemoryRunStore();
    }
}
