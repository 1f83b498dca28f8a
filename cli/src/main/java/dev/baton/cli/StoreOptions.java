package dev.baton.cli;

import dev.baton.persistence.RunStore;
import dev.baton.persistence.StoreException;
import dev.baton.store.jdbc.JdbcRunStore;
import org.h2.api.ErrorCode;
import org.h2.jdbcx.JdbcDataSource;
import org.postgresql.ds.PGSimpleDataSource;
import picocli.CommandLine.Option;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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

    /** The store's schema-version table with its default table prefix, which the CLI's stores use. */
    private static final String SCHEMA_VERSION_TABLE = "baton_schema_version";

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
     * Opens a store to read it: an embedded directory that holds no database, an H2 {@code --store} database that
     * does not exist, and any database without Baton's tables are refused instead of getting a new, empty store (a
     * mistyped {@code --data-dir} or URL would otherwise answer "no runs" and leave a database or tables behind).
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
                if (mustExist) {
                    // the file is there, but it may be another application's database: read, never set up
                    JdbcDataSource ds = new JdbcDataSource();
                    ds.setURL(embeddedUrl(dir) + ";IFEXISTS=TRUE");
                    ds.setUser("sa");
                    requireSchema(ds, "in " + dir);
                }
                // reading checks the schema and never migrates: an older Baton may still be using this database
                return mustExist ? JdbcRunStore.embeddedBuilder(dir).migrateSchema(false).build()
                        : JdbcRunStore.embedded(dir);
            }
            if (url.startsWith("jdbc:h2:")) {
                JdbcDataSource ds = new JdbcDataSource();
                // H2 creates a database that is not there on first connection; reading must not
                ds.setURL(mustExist ? ifExists(url) : url);
                if (user != null) {
                    ds.setUser(user);
                }
                if (password != null) {
                    ds.setPassword(password);
                }
                if (mustExist) {
                    requireSchema(ds, "at " + url);
                }
                return JdbcRunStore.builder(ds, JdbcRunStore.Dialect.H2).migrateSchema(!mustExist).build();
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
                if (mustExist) {
                    requireSchema(ds, "at " + url);
                }
                return JdbcRunStore.builder(ds, JdbcRunStore.Dialect.POSTGRES).migrateSchema(!mustExist).build();
            }
        } catch (CliFailure e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new CliFailure(BatonCli.USAGE, "--store " + url + ": " + e.getMessage());
        } catch (RuntimeException e) {
            // a database that cannot be reached or opened is the user's input, not a crash: one line, exit 2
            throw new CliFailure(BatonCli.USAGE, "cannot open the run store: " + rootMessage(e));
        }
        throw new CliFailure(BatonCli.USAGE, "--store must be a jdbc:h2: or jdbc:postgresql: URL, was " + url);
    }

    /** The URL {@link JdbcRunStore#embedded} opens for a directory (user {@code sa}, no password). */
    private static String embeddedUrl(Path dir) {
        return "jdbc:h2:file:" + dir.toAbsolutePath().resolve("baton").toString().replace('\\', '/');
    }

    /**
     * An H2 URL with {@code IFEXISTS=TRUE} added to its settings, so that connecting fails instead of creating the
     * database. Settings follow the first {@code ;}, separated by {@code ;}, where {@code \;} is a {@code ;} inside
     * a value (as H2 reads them).
     */
    static String ifExists(String url) {
        int start = url.indexOf(';');
        if (start < 0) {
            return url + ";IFEXISTS=TRUE";
        }
        List<String> settings = new ArrayList<>();
        StringBuilder setting = new StringBuilder();
        for (int i = start + 1; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c == '\\' && i + 1 < url.length()) {
                setting.append(c).append(url.charAt(++i));
            } else if (c == ';') {
                settings.add(setting.toString());
                setting.setLength(0);
            } else {
                setting.append(c);
            }
        }
        boolean endsWithSeparator = setting.length() == 0;
        settings.add(setting.toString());
        for (String s : settings) {
            int eq = s.indexOf('=');
            if (eq >= 0 && s.substring(0, eq).strip().equalsIgnoreCase("IFEXISTS")) {
                if (s.substring(eq + 1).strip().equalsIgnoreCase("TRUE")) {
                    return url;
                }
                // H2 refuses a setting given twice; and a database created by reading is what this prevents
                throw new CliFailure(BatonCli.USAGE, "--store " + url + ": ps and inspect read only a database that"
                        + " exists; remove " + s.strip());
            }
        }
        return url + (endsWithSeparator ? "" : ";") + "IFEXISTS=TRUE";
    }

    /**
     * Refuses a database without Baton's tables, before the store is built, as no run store, naming the schema it
     * looked in (the store, only checking its schema, would refuse it too, in the store's terms). The schema-version
     * table is the one every Baton schema has, created first.
     */
    private static void requireSchema(DataSource ds, String where) {
        try (Connection c = ds.getConnection()) {
            DatabaseMetaData md = c.getMetaData();
            String table = SCHEMA_VERSION_TABLE;
            if (md.storesUpperCaseIdentifiers()) {
                table = table.toUpperCase(Locale.ROOT);
            } else if (md.storesLowerCaseIdentifiers()) {
                table = table.toLowerCase(Locale.ROOT);
            }
            String escape = md.getSearchStringEscape();
            // the current schema: where the store's unqualified names point (H2's SCHEMA=, PostgreSQL's search_path)
            try (ResultSet rs = md.getTables(c.getCatalog(), pattern(c.getSchema(), escape), pattern(table, escape),
                    null)) {
                if (!rs.next()) {
                    throw new CliFailure(BatonCli.USAGE, "no run store " + where + ": the database has no Baton tables"
                            + " (no " + SCHEMA_VERSION_TABLE + " table" + (c.getSchema() == null ? ""
                            : " in schema " + c.getSchema()) + ")");
                }
            }
        } catch (SQLException e) {
            if (e.getErrorCode() == ErrorCode.DATABASE_NOT_FOUND_WITH_IF_EXISTS_1
                    || e.getErrorCode() == ErrorCode.DATABASE_NOT_FOUND_1) {
                throw new CliFailure(BatonCli.USAGE, "no run store " + where
                        + " (no such database; baton run creates one)");
            }
            throw new StoreException("could not open the database (SQL state " + e.getSQLState() + "): "
                    + e.getMessage(), e);
        }
    }

    /** A name as a metadata search pattern that matches only itself. */
    private static String pattern(String name, String escape) {
        if (name == null || escape == null || escape.isEmpty()) {
            return name;
        }
        return name.replace(escape, escape + escape).replace("_", escape + "_").replace("%", escape + "%");
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
