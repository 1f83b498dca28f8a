package dev.baton.cli;

import dev.baton.store.jdbc.JdbcRunStore;

import java.nio.file.Path;

/**
 * A second process for {@link StoreCommandsTest}: opens the embedded store in the directory given, says so on one
 * line, and holds it open until its standard input ends, as a running {@code baton run} does.
 */
public final class StoreHolder {

    private StoreHolder() {
    }

    /**
     * @param args the data directory
     * @throws Exception if the store cannot be opened
     */
    public static void main(String[] args) throws Exception {
        try (JdbcRunStore store = JdbcRunStore.embedded(Path.of(args[0]))) {
            store.runs(dev.baton.persistence.RunFilter.all(1)); // the database is open, not just named
            System.out.println("open");
            System.out.flush();
            while (System.in.read() != -1) {
                // hold the database until the parent closes our input
            }
        }
    }
}
