package dev.baton.cli;

import dev.baton.json.PlanJson;
import dev.baton.json.PlanParseException;
import dev.baton.json.ServiceCatalogJson;
import dev.baton.plan.Plan;
import dev.baton.planner.ServiceCatalog;
import dev.baton.validation.ValidationError;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** Reading the files commands take, with the tool's exit-code rules. Shared by every subcommand. */
final class Inputs {

    private Inputs() {
    }

    /** A plan file, or the problems that kept it from being read. */
    record PlanInput(Plan plan, List<ValidationError> errors) {
    }

    /**
     * Reads a plan file. Unreadable files fail with exit code 2; text that is not a plan comes back as errors.
     */
    static PlanInput plan(Path file) {
        checkReadable(file, "plan");
        try {
            return new PlanInput(PlanJson.defaults().read(file), List.of());
        } catch (PlanParseException e) {
            return new PlanInput(null, e.errors());
        } catch (UncheckedIOException e) {
            throw unreadable(file, "plan", e);
        }
    }

    /**
     * Reports a plan that is not valid, as {@code validate} and {@code run} both do: a header naming the file and
     * how many errors it has, then each error on its own line, on standard output.
     */
    static void reportInvalid(PrintWriter out, Path file, List<ValidationError> errors) {
        int n = errors.size();
        out.println(file + ": invalid, " + n + (n == 1 ? " error" : " errors"));
        for (ValidationError e : errors) {
            out.println(oneLine(e));
        }
    }

    /** Reads a catalog file; a catalog that cannot be used fails with exit code 2. */
    static ServiceCatalog catalog(Path file) {
        checkReadable(file, "service catalog");
        try {
            return ServiceCatalogJson.defaults().read(file);
        } catch (PlanParseException e) {
            throw new CliFailure(BatonCli.USAGE, "cannot use service catalog " + file + ":\n" + e.errors().stream()
                    .map(Inputs::oneLine).collect(Collectors.joining("\n")));
        } catch (UncheckedIOException e) {
            throw unreadable(file, "service catalog", e);
        }
    }

    /**
     * Text as one line of a report: line breaks and other control characters that names from a file, or messages
     * from a store or a service, carry are escaped, so that every error stays on its own line and nothing reaches
     * the terminal as a control sequence. Escaped are the C0 and C1 controls (ESC among them) and DEL, the Unicode
     * line and paragraph separators, and the bidirectional formatting characters, which could reorder what a line
     * shows.
     */
    static String oneLine(Object error) {
        String s = String.valueOf(error);
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (mustEscape(c)) {
                if (sb == null) {
                    sb = new StringBuilder(s.length() + 16).append(s, 0, i);
                }
                switch (c) {
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    default -> sb.append(String.format("\\u%04x", (int) c));
                }
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? s : sb.toString();
    }

    private static boolean mustEscape(char c) {
        return Character.isISOControl(c)                                   // C0, DEL and C1
                || c == '\u2028' || c == '\u2029'                           // line and paragraph separators
                || c == '\u061c' || c == '\u200e' || c == '\u200f'           // bidirectional marks
                || (c >= '\u202a' && c <= '\u202e')                         // bidirectional embeddings, overrides
                || (c >= '\u2066' && c <= '\u2069');                        // bidirectional isolates
    }

    private static void checkReadable(Path file, String what) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new CliFailure(BatonCli.USAGE, "cannot read " + what + " file " + file
                    + (Files.exists(file) ? " (not a readable file)" : " (no such file)"));
        }
    }

    private static CliFailure unreadable(Path file, String what, UncheckedIOException e) {
        String reason = e.getCause() instanceof NoSuchFileException ? "no such file" : String.valueOf(e.getCause().getMessage());
        return new CliFailure(BatonCli.USAGE, "cannot read " + what + " file " + file + " (" + reason + ")");
    }
}
