package dev.baton.cli;

import dev.baton.persistence.RunStore;
import dev.baton.persistence.StoreException;
import dev.baton.store.jdbc.JdbcRunStore;
import org.h2.jdbcx.JdbcDataSource;
import org.postgresql.ds.PGSimpleDataSource;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.function.Function;

/**
 * Where a command finds its runs: the embedded H2 database under {@code ~/.baton} by default, an embedded database in
 * another directory ({@code --data-dir}), or any H2 or PostgreSQL JDBC URL ({@code --store}). A PostgreSQL password
 * is read from the environment variable {@code --store-password-env} names, so it never appears on a command line.
 */
final class StoreOptions {

    @Option(names = "--store", paramLabel = "JDBC_URL",
            description = "A JDBC URL for the run store: jdbc:h2:... or jdbc:postgresql://... "
                    + "(default: the embedded database under ~/.baton).")
    String url;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Use the embedded database in this directory instead of ~/.baton.")
    Path dataDir;

    @Option(names = "--store-user", paramLabel = "NAME", description = "The database user for --store.")
    String user;

    @Option(names = "--store-password-env", paramLabel = "VAR",
            description = "The environment variable holding the database password for --store.")
    String passwordEnv;

    /** The file {@link JdbcRunStore#embedded} keeps its database in, inside the directory. */
    private static final String EMBEDDED_FILE = "baton.mv.db";

    /**
     * Opens the store, creating the embedded one if it is not there yet. Its schema is created or migrated on first
     * use.
     *
     * @param env looks environment variables up
     * @return the store; the caller closes it
     */
    RunStore open(Function<String, String> env) {
        return open(env, false);
    }

    /**
     * Opens a store to read it: an embedded directory that holds no database is refused instead of getting a new,
     * empty one (a mistyped {@code --data-dir} would otherwise answer "no runs" and leave a database behind).
     *
     * @param env looks environment variables up
     * @return the store; the caller closes it
     */
    RunStore openExisting(Function<String, String> env) {
        return open(env, true);
    }

    private RunStore open(Function<String, String> env, boolean mustExist) {
        if (url != null && dataDir != null) {
            throw new CliFailure(BatonCli.USAGE, "--store and --data-dir exclude each other");
        }
        // the embedded database has no user or password: ignoring them would hide a forgotten --store
        if (url == null && user != null) {
            throw new CliFailure(BatonCli.USAGE, "--store-user needs --store");
        }
        if (url == null && passwordEnv != null) {
            throw new CliFailure(BatonCli.USAGE, "--store-password-env needs --store");
        }
        String password = null;
        if (passwordEnv != null) {
            password = env.apply(passwordEnv);
            if (password == null) {
                throw new CliFailure(BatonCli.USAGE, "environment variable " + passwordEnv + " is not set");
            }
        }
        Path dir = dataDir != null ? dataDir : Path.of(System.getProperty("user.home"), ".baton");
        if (url == null && java.nio.file.Files.exists(dir) && !java.nio.file.Files.isDirectory(dir)) {
            // checked here: the database would print its own stack trace to standard error first
            throw new CliFailure(BatonCli.USAGE, "cannot open the run store: " + dir + " is not a directory");
        }
        if (url == null && dir.toAbsolutePath().toString().indexOf(';') >= 0) {
            // the embedded store's JDBC URL is this path, and the database reads what follows a ';' as its settings
            throw new CliFailure(BatonCli.USAGE, "cannot use " + dir
                    + " for the run store: a directory of the embedded database may not contain ';'");
        }
        if (url == null && mustExist && !java.nio.file.Files.isRegularFile(dir.resolve(EMBEDDED_FILE))) {
            throw new CliFailure(BatonCli.USAGE, "no run store in " + dir + " (baton run creates one)");
        }
        if (url == null) {
            try {
                // created here: below a file or where it may not write, the database prints its own stack trace
                java.nio.file.Files.createDirectories(dir);
            } catch (java.io.IOException | SecurityException e) {
                throw new CliFailure(BatonCli.USAGE, "cannot open the run store: cannot create " + dir + " ("
                        + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + firstLine(e)) + ")");
            }
        }
        try {
            if (url == null) {
                return JdbcRunStore.embedded(dir);
            }
            if (url.startsWith("jdbc:h2:")) {
                JdbcDataSource ds = new JdbcDataSource();
                ds.setURL(url);
                if (user != null) {
                    ds.setUser(user);
                }
                if (password != null) {
                    ds.setPassword(password);
                }
                return JdbcRunStore.h2(ds);
            }
            if (url.startsWith("jdbc:postgresql:")) {
                PGSimpleDataSource ds = new PGSimpleDataSource();
                ds.setURL(url);
                if (user != null) {
                    ds.setUser(user);
                }
                if (password != null) {
                    ds.setPassword(password);
                }
                return JdbcRunStore.postgres(ds);
            }
        } catch (IllegalArgumentException e) {
            throw new CliFailure(BatonCli.USAGE, "--store " + url + ": " + e.getMessage());
        } catch (RuntimeException e) {
            // a database that cannot be reached or opened is the user's input, not a crash: one line, exit 2
            throw new CliFailure(BatonCli.USAGE, "cannot open the run store: " + rootMessage(e));
        }
        throw new CliFailure(BatonCli.USAGE, "--store must be a jdbc:h2: or jdbc:postgresql: URL, was " + url);
    }

    private static String rootMessage(Throwable t) {
        // the store's own message says what it was doing and what to change, and quotes the driver's; the innermost
        // cause often names the very thing (an unknown host), so it is added when the message does not hold it
        Throwable store = t;
        while (!(store instanceof StoreException) && store.getCause() != null && store.getCause() != store) {
            store = store.getCause();
        }
        Throwable root = store;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = firstLine(store);
        if (root != store) {
            String cause = firstLine(root);
            if (!m.contains(cause)) {
                m = m + " (" + root.getClass().getSimpleName() + ": " + cause + ")";
            }
        }
        return m;
    }

    private static String firstLine(Throwable t) {
        String m = t.getMessage();
        if (m == null) {
            m = t.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
