package dev.baton.cli;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class BatonCliTest {

    private static final Path PLANS = Path.of("..", "examples", "plans");

    private StringWriter out;
    private StringWriter err;

    @TempDir
    Path dir;

    @BeforeEach
    void streams() {
        out = new StringWriter();
        err = new StringWriter();
    }

    private int run(String... args) {
        return BatonCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    private String plan(String json) throws Exception {
        Path p = dir.resolve("plan-" + System.nanoTime() + ".json");
        Files.writeString(p, json);
        return p.toString();
    }

    @Test
    void validExamplePrintsGroupsAndCriticalPath() {
        int code = run("validate", PLANS.resolve("order-fulfilment.json").toString(),
                "--services", PLANS.resolve("order-services.json").toString());
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString())
                .contains("valid, 4 tasks in 2 groups (computed)")
                .contains("group 1: payment, inventory")
                .contains("group 2: delivery, notification")
                .contains("critical path length: 2");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void validJsonOutput() {
        int code = run("validate", PLANS.resolve("order-fulfilment.json").toString(), "--json");
        assertThat(code).isZero();
        assertThat(out.toString().trim()).isEqualTo(
                "{\"valid\":true,\"parallel_groups\":[[\"payment\",\"inventory\"],[\"delivery\",\"notification\"]],\"errors\":[]}");
    }

    @Test
    void invalidExampleListsEveryError() {
        int code = run("validate", PLANS.resolve("order-fulfilment-invalid.json").toString(),
                "--services", PLANS.resolve("order-services.json").toString());
        assertThat(code).isEqualTo(1);
        assertThat(out.toString()).contains("invalid, ").contains("CYCLE at /tasks/3/input/trackingFrom (delivery)")
                .contains("delivery -> notification -> delivery").contains("UNKNOWN_SERVICE").contains("SCHEMA_VIOLATION")
                .contains("UNKNOWN_OUTPUT_FIELD").contains("INVALID_REFERENCE").contains("DANGLING_REFERENCE");
    }

    @Test
    void invalidJsonOutput() throws Exception {
        String p = plan("{\"tasks\": [{\"id\": \"task1\", \"service\": \"s\", \"input\": {\"x\": \"$task2\"}},"
                + "{\"id\": \"task2\", \"service\": \"s\", \"input\": {\"y\": \"$task1\"}}]}");
        assertThat(run("validate", p, "--json")).isEqualTo(1);
        assertThat(out.toString().trim()).isEqualTo("{\"valid\":false,\"errors\":[{\"code\":\"CYCLE\",\"task\":\"task1\","
                + "\"path\":\"/tasks/0/input/x\",\"message\":\"tasks wait for each other in a cycle: task1 -> task2 -> task1\"}]}");
    }

    @Test
    void malformedPlanIsInvalidNotUnreadable() throws Exception {
        String p = plan("{\"tasks\": [\n  {\"id\": }\n]}");
        assertThat(run("validate", p, "--json")).isEqualTo(1);
        assertThat(out.toString()).contains("\"code\":\"MALFORMED_JSON\"").contains("line 2, column");
        assertThat(out.toString()).contains("\"task\":null");
    }

    @Test
    void unreadableFilesAndUsageErrorsExitWithTwo() throws Exception {
        assertThat(run("validate", dir.resolve("missing.json").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("cannot read plan file").contains("no such file").doesNotContain("Exception");
        assertThat(run("validate", dir.toString())).isEqualTo(2);
        assertThat(run("validate")).isEqualTo(2);
        assertThat(run("validate", "a.json", "--bogus")).isEqualTo(2);
        assertThat(run("nope")).isEqualTo(2);
        assertThat(run()).isEqualTo(2);
        String p = PLANS.resolve("order-fulfilment.json").toString();
        assertThat(run("validate", p, "--services", dir.resolve("none.json").toString())).isEqualTo(2);
        assertThat(run("validate", p, "--services", plan("{\"services\": 1}"))).isEqualTo(2);
        assertThat(err.toString()).contains("cannot use service catalog").contains("INVALID_STRUCTURE");
        assertThat(run("graph", p, "--format", "png")).isEqualTo(2);
    }

    @Test
    void hostileInputsAreOneTypedErrorWithTheDocumentedExitCode() throws Exception {
        String plan = plan("{\"tasks\": [{\"id\": \"a\", \"service\": \"s\", \"input\": {\"x\": 1}}]}");
        // a schema that refers to itself without end: a SCHEMA_VIOLATION, not a StackOverflowError out of main
        String loop = plan("{\"services\": [{\"name\": \"s\", \"schema\": {\"input\": {\"$ref\": \"#\"}}}]}");
        assertThat(run("validate", plan, "--services", loop, "--json")).isEqualTo(1);
        assertThat(out.toString()).contains("\"code\":\"SCHEMA_VIOLATION\"").contains("refers to itself");
        // bytes that are no UTF-32 text are as malformed as invalid UTF-8: exit 1, not "cannot read" with exit 2
        Path utf32 = dir.resolve("utf32.json");
        Files.write(utf32, new byte[] {0, 0, 0, '{', 0, 0, 0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0});
        assertThat(run("validate", utf32.toString())).isEqualTo(1);
        assertThat(out.toString()).contains("MALFORMED_JSON").contains("not valid text");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void everyErrorIsOnItsOwnLineWhateverItsMessageHolds() throws Exception {
        // names from the file end up in messages; a line break in one must not split the error over two lines
        String p = plan("{\"tasks\": [{\"id\": \"a\\nb\", \"service\": \"s\"},"
                + " {\"id\": \"c\", \"service\": \"no\\r\\nsuch\"}]}");
        String services = plan("{\"services\": [{\"name\": \"s\"}]}");
        assertThat(run("validate", p, "--services", services)).isEqualTo(1);
        assertThat(out.toString().lines()).hasSize(3)
                .anySatisfy(l -> assertThat(l).startsWith("INVALID_TASK_ID").contains("a\\nb"))
                .anySatisfy(l -> assertThat(l).startsWith("UNKNOWN_SERVICE").contains("no\\r\\nsuch"));
        assertThat(run("graph", p)).isEqualTo(1);
        assertThat(err.toString().lines()).hasSize(2);
    }

    @Test
    void oneLineEscapesControlsAndCharactersThatBreakOrReorderALine() {
        assertThat(Inputs.oneLine("a\nb\r\tc")).isEqualTo("a\\nb\\r\\tc");
        assertThat(Inputs.oneLine("\u001b[2J \u0007 \u007f \u009b2J \u0085")).isEqualTo(
                "\\u001b[2J \\u0007 \\u007f \\u009b2J \\u0085");
        assertThat(Inputs.oneLine("x\u2028y\u2029z")).isEqualTo("x\\u2028y\\u2029z");
        assertThat(Inputs.oneLine("\u202eevil\u202c \u2066i\u2069 \u200f\u061c")).isEqualTo(
                "\\u202eevil\\u202c \\u2066i\\u2069 \\u200f\\u061c");
        // ordinary text, accents and emoji included, is left as it is
        String plain = "caf\u00e9 \u00fcber \ud83d\ude00 \u4e2d";
        assertThat(Inputs.oneLine(plain)).isSameAs(plain);
        assertThat(Inputs.oneLine(null)).isEqualTo("null");
    }

    @Test
    void helpAndVersion() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("validate").contains("graph");
        assertThat(run("--version")).isZero();
        assertThat(out.toString()).contains("baton ");
        assertThat(run("validate", "--help")).isZero();
        assertThat(out.toString()).contains("Exit codes");
    }

    @Test
    void mermaidGraph() {
        assertThat(run("graph", PLANS.resolve("order-fulfilment.json").toString(), "--format", "mermaid")).isZero();
        assertThat(out.toString()).startsWith("flowchart TD\n")
                .contains("subgraph group1[\"group 1\"]")
                .contains("n0[\"payment<br/>payment-service\"]")
                .contains("n0 --> n2").contains("n1 --> n2").contains("n0 --> n3")
                .contains("  end\n");
    }

    @Test
    void dotGraph() {
        assertThat(run("graph", PLANS.resolve("order-fulfilment.json").toString(), "--format", "dot")).isZero();
        assertThat(out.toString()).startsWith("digraph plan {")
                .contains("subgraph cluster_2 {")
                .contains("\"delivery\" [label=\"delivery\\ndelivery-service\"];")
                .contains("\"payment\" -> \"delivery\";")
                .endsWith("}\n");
    }

    @Test
    void graphOfAnInvalidPlanExplainsWhy() {
        assertThat(run("graph", PLANS.resolve("order-fulfilment-invalid.json").toString())).isEqualTo(1);
        assertThat(err.toString()).contains("cannot draw").contains("CYCLE");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void labelsAreEscaped() throws Exception {
        String p = plan("{\"tasks\": [{\"id\": \"end\", \"service\": \"say \\\"hi\\\" <b>\", \"input\": {}}]}");
        assertThat(run("graph", p)).isZero();
        assertThat(out.toString()).contains("n0[\"end<br/>say #quot;hi#quot; #lt;b#gt;\"]");
        assertThat(run("graph", p, "--format", "dot")).isZero();
        assertThat(out.toString()).contains("[label=\"end\\nsay \\\"hi\\\" <b>\"]");
    }

    /** A command failing in a way nobody planned for. */
    @picocli.CommandLine.Command(name = "boom")
    static final class Boom implements java.util.concurrent.Callable<Integer> {
        @Override
        public Integer call() {
            throw new IllegalStateException();
        }
    }

    @Test
    void anUnexpectedFailureWithoutAMessageStillSaysWhatItWas() {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        picocli.CommandLine cl = BatonCli.commandLine(new PrintWriter(o, true), new PrintWriter(e, true));
        cl.addSubcommand(new Boom());
        cl.setErr(new PrintWriter(e, true)); // reaches the subcommand added after the configuration
        assertThat(cl.execute("boom")).isEqualTo(BatonCli.USAGE);
        assertThat(e.toString().trim()).isEqualTo("baton: error: IllegalStateException");
    }

    /** A command whose library recursed without end. */
    @picocli.CommandLine.Command(name = "deep")
    static final class Deep implements java.util.concurrent.Callable<Integer> {
        @Override
        public Integer call() {
            throw new StackOverflowError();
        }
    }

    @Test
    void aStackOverflowIsOneLineAndExitCodeTwoNotAStackTraceAndOne() {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        picocli.CommandLine cl = BatonCli.commandLine(new PrintWriter(o, true), new PrintWriter(e, true));
        cl.addSubcommand(new Deep());
        assertThat(cl.execute("deep")).isEqualTo(BatonCli.USAGE);
        assertThat(e.toString().strip()).startsWith("baton: error: ").endsWith("(StackOverflowError)")
                .doesNotContain("\n");
    }

    /** A command failing with a library's message of several lines. */
    @picocli.CommandLine.Command(name = "verbose")
    static final class Verbose implements java.util.concurrent.Callable<Integer> {
        @Override
        public Integer call() {
            throw new IllegalStateException("append to run 'r' failed (SQL state 22001): value too long; SQL statement:\n"
                    + "INSERT INTO baton_events (run_id, seq) VALUES (?, ?)");
        }
    }

    @Test
    void anUnexpectedFailureIsOneLineEvenWhenItsMessageGoesOn() {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        picocli.CommandLine cl = BatonCli.commandLine(new PrintWriter(o, true), new PrintWriter(e, true));
        cl.addSubcommand(new Verbose());
        cl.setErr(new PrintWriter(e, true));
        assertThat(cl.execute("verbose")).isEqualTo(BatonCli.USAGE);
        assertThat(e.toString().strip())
                .isEqualTo("baton: error: append to run 'r' failed (SQL state 22001): value too long; SQL statement:");
    }
}
