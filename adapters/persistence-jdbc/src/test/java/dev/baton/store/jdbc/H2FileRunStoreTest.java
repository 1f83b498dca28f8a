package dev.baton.store.jdbc;

import dev.baton.persistence.RunStore;
import dev.baton.persistence.tck.RunStoreContractTest;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The contract test kit against the embedded default: an H2 file database in a fresh directory per test. */
class H2FileRunStoreTest extends RunStoreContractTest {

    @TempDir
    Path dir;

    @Override
    protected RunStore createStore() {
        return JdbcRunStore.embedded(dir);
    }
}
