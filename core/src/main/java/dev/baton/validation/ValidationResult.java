package dev.baton.validation;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link PlanValidator#validate} found: every problem, the effective schedule and, for a valid plan, the graph
 * the engine runs from. Immutable and thread-safe.
 */
public final class ValidationResult {

    private final List<ValidationError> errors;
    private final List<List<String>> parallelGroups;
    private final int criticalPathLength;
    private final PlanGraph graph;

    ValidationResult(List<ValidationError> errors, List<List<String>> parallelGroups, int criticalPathLength,
                     PlanGraph graph) {
        this.errors = List.copyOf(errors);
        this.parallelGroups = Objects.requireNonNull(parallelGroups, "parallelGroups");
        this.criticalPathLength = criticalPathLength;
        this.graph = this.errors.isEmpty() ? graph : null;
    }

    /**
     * A result holding only errors, for problems found before validation proper (unreadable JSON, for instance).
     *
     * @param errors the problems, at least one
     * @return an invalid result
     */
    public static ValidationResult invalid(List<ValidationError> errors) {
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("an invalid result needs at least one error");
        }
        return new ValidationResult(errors, List.of(), 0, null);
    }

    /** @return true when no problem was found */
    public boolean isValid() {
        return errors.isEmpty();
    }

    /** @return every problem, in plan order then by kind; empty for a valid plan */
    public List<ValidationError> errors() {
        return errors;
    }

    /**
     * The schedule the engine would follow: the plan's own groups when it gives them, else the computed
     * longest-path layering. Empty when it cannot be computed (a cycle, for instance).
     *
     * @return task ids per group
     */
    public List<List<String>> parallelGroups() {
        return parallelGroups;
    }

    /** @return the number of tasks on the longest dependency chain; 0 when it cannot be computed */
    public int criticalPathLength() {
        return criticalPathLength;
    }

    /** @return the graph to schedule from, present only when the plan is valid */
    public Optional<PlanGraph> graph() {
        return Optional.ofNullable(graph);
    }

    @Override
    public String toString() {
        return isValid() ? "ValidationResult[valid, " + parallelGroups.size() + " groups]"
                : "ValidationResult[" + errors.size() + " errors]";
    }
}
