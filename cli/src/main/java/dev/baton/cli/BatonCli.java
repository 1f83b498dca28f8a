package dev.baton.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.function.Function;

/**
 * The {@code baton} command. Each subcommand is a class of its own registered in {@link #subcommands(Function)}, so new
 * ones ({@code run}, {@code ps}, {@code inspect}, {@code plan}) plug in without touching the others.
 *
 * <p>Exit codes: 0 success, 1 the input is invalid (a plan that fails validation), 2 usage errors and files that
 * cannot be read, 3 a run that did not complete ({@code baton run}). Users never see a stack trace.
 */
@Command(name = "baton", mixinStandardHelpOptions = true, versionProvider = BatonCli.Version.class,
        description = "Validate, draw, plan, run and inspect Baton orchestration plans.")
public final class BatonCli implements Runnable {

    /** Success. */
    public static final int OK = 0;
    /** The input is invalid. */
    public static final int INVALID = 1;
    /** Usage error or unreadable file. */
    public static final int USAGE = 2;
    /** {@code baton run}: the run did not complete. */
    public static final int RUN_FAILED = 3;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /** Creates the command; picocli fills its fields. */
    public BatonCli() {
    }

    /**
     * @param environment looks environment variables up (the API key of {@code plan})
     * @return the subcommands, in help order; add new ones here
     */
    static Object[] subcommands(Function<String, String> environment) {
        return new Object[] {new ValidateCommand(), new GraphCommand(), new PlanCommand(environment), new RunCommand(),
                new PsCommand(environment), new InspectCommand(environment)};
    }

    /**
     * Runs the tool and exits with its code.
     *
     * @param args command-line arguments
     */
    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(execute(out, err, args));
    }

    /**
     * Runs the tool in-process.
     *
     * @param out  standard output
     * @param err  standard error
     * @param args command-line arguments
     * @return the exit code
     */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        return commandLine(out, err).execute(args);
    }

    /**
     * The configured command line, for embedding and tests.
     *
     * @param out standard output
     * @param err standard error
     * @return the command line
     */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        return commandLine(out, err, System::getenv);
    }

    /**
     * The configured command line with a given environment, for tests.
     *
     * @param out         standard output
     * @param err         standard error
     * @param environment looks environment variables up
     * @return the command line
     */
    static CommandLine commandLine(PrintWriter out, PrintWriter err, Function<String, String> environment) {
        CommandLine cl = new CommandLine(new BatonCli());
        for (Object sub : subcommands(environment)) {
            cl.addSubcommand(sub);
        }
        cl.setOut(out);
        cl.setErr(err);
        cl.setExitCodeExceptionMapper(e -> USAGE);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            // an unexpected failure still gets one readable line, not a stack trace
            String message = ex.getMessage() == null || ex.getMessage().isBlank() ? ex.getClass().getSimpleName()
                    : ex.getMessage();
            if (!(ex instanceof CliFailure) && message.indexOf('\n') >= 0) {
                // a library's message may go on with its internals (a store's SQL statement): its first line says it
                message = message.substring(0, message.indexOf('\n')).strip();
            }
            commandLine.getErr().println("baton: " + (ex instanceof CliFailure ? "" : "error: ") + message);
            commandLine.getErr().flush();
            return ex instanceof CliFailure f ? f.exitCode() : USAGE;
        });
        // picocli hands only exceptions to the handler above; a StackOverflowError from a library recursing on the
        // input would reach the user as a JVM stack trace and exit code 1 ("invalid"), so it gets its own line too
        CommandLine.IExecutionStrategy strategy = cl.getExecutionStrategy();
        cl.setExecutionStrategy(parseResult -> {
            try {
                return strategy.execute(parseResult);
            } catch (StackOverflowError e) {
                cl.getErr().println("baton: error: the input nests or refers to itself too deeply to process"
                        + " (StackOverflowError)");
                cl.getErr().flush();
                return USAGE;
            }
        });
        return cl;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is needed");
    }

    /** Reads the version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = BatonCli.class.getPackage().getImplementationVersion();
            return new String[] {"baton " + (v == null ? "development build" : v)};
        }
    }
}
