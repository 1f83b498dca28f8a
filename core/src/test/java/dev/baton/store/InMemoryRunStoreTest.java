package dev.baton.store;

import dev.baton.persistence.RunStore;
import dev.baton.persistence.tck.RunStoreContractTest;

/** The contract test kit against the in-memory store. */
class InMemoryRunStoreTest extends RunStoreContractTest {

    @Override
    protected RunStore createStore() {
        return new InMemoryRunStore();
    }
}
