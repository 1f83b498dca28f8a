package dev.baton.examples;

import dev.baton.BatonException;
import dev.baton.IdempotencyConflictException;
import dev.baton.RunResult;
import dev.baton.RunStatus;
import dev.baton.persistence.RunStore;
import dev.baton.persistence.StoreException;
import dev.baton.store.jdbc.JdbcRunStore;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.function.Function;

/** How an example runs on the embedded store: a failure is one line on stderr and exit code 1, not a stack trace. */
final class EmbeddedExample {

    private EmbeddedExample() {
    }

    /**
     * Opens the embedded store in {@code dir}, runs {@code body} on it and closes the store.
     *
     * @param name the example's name, which starts a failure's line
     * @return the exit code: 0 when the run completed, 1 otherwise
     */
    static int run(String name, Path dir, PrintStream err, Function<RunStore, RunResult> body) {
        try (RunStore store = JdbcRunStore.embedded(dir)) {
            return body.apply(store).status() == RunStatus.COMPLETED ? 0 : 1;
        } catch (IdempotencyConflictException e) {
            err.println(name + ": " + e.getMessage() + " in " + dir.toAbsolutePath()
                    + " (kept from another version of this example?); remove that directory or pass another one");
            return 1;
        } catch (BatonException | StoreException e) {
            err.println(name + ": " + e.getMessage());
            return 1;
        }
    }
}
