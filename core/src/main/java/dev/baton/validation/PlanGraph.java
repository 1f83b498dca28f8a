package dev.baton.validation;

import dev.baton.plan.Reference;
import dev.baton.plan.Task;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The dependency graph of a valid plan, in the compact form the scheduler works from: executable tasks numbered
 * {@code 0..size()-1} in plan order ({@code task0} excluded), adjacency in flat int arrays, the effective parallel
 * group of each task, and the references of each task on request.
 *
 * <p>Obtained from {@link ValidationResult#graph()}, which is present only for valid plans, so a graph is always
 * acyclic and its groups always respect dependencies. Immutable and thread-safe; array accessors return copies, and
 * the {@code ...Count}/{@code ...At} accessors read without allocating.
 */
public final class PlanGraph {

    private final Task[] tasks;
    /** The tasks' ids by index, flat: the engine reads them per event, and one array read beats a walk to the task. */
    private final String[] ids;
    private final IdTable index;
    private final int[] depStart;
    private final int[] deps;
    private final int[] outStart;
    private final int[] outs;
    private final int[] group;
    private final List<List<String>> groups;
    private final boolean groupsFromPlan;
    private final Map<String, Object> params;
    private final int criticalPathLength;

    PlanGraph(Task[] tasks, IdTable index, int[] depStart, int[] deps, int[] outStart, int[] outs,
              int[] group, List<List<String>> groups, boolean groupsFromPlan, Map<String, Object> params,
              int criticalPathLength) {
        this.tasks = tasks;
        this.ids = new String[tasks.length];
        for (int i = 0; i < tasks.length; i++) {
            ids[i] = tasks[i].id();
        }
        this.index = index;
        this.depStart = depStart;
        this.deps = deps;
        this.outStart = outStart;
        this.outs = outs;
        this.group = group;
        this.groups = groups;
        this.groupsFromPlan = groupsFromPlan;
        this.params = params;
        this.criticalPathLength = criticalPathLength;
    }

    /** @return the number of executable tasks ({@code task0} excluded) */
    public int size() {
        return tasks.length;
    }

    /**
     * @param i task index, {@code 0 <= i < size()}
     * @return the task
     */
    public Task task(int i) {
        return tasks[i];
    }

    /**
     * The id of a task, without going through its {@link Task}: what {@code task(i).id()} answers.
     *
     * @param i task index, {@code 0 <= i < size()}
     * @return the task's id
     */
    public String taskId(int i) {
        return ids[i];
    }

    /**
     * @param id a task id
     * @return its index, or {@code -1} when the id is not an executable task of this plan
     */
    public int indexOf(String id) {
        return id == null ? -1 : index.get(id);
    }

    /**
     * @param i task index
     * @return indexes of the tasks {@code i} waits for (references and {@code depends_on}, without duplicates), a copy
     */
    public int[] dependencies(int i) {
        return Arrays.copyOfRange(deps, depStart[i], depStart[i + 1]);
    }

    /**
     * @param i task index
     * @return how many tasks {@code i} waits for: the initial value of its dependency counter
     */
    public int dependencyCount(int i) {
        return depStart[i + 1] - depStart[i];
    }

    /**
     * @param i task index
     * @return indexes of the tasks waiting for {@code i}, a copy
     */
    public int[] dependents(int i) {
        return Arrays.copyOfRange(outs, outStart[i], outStart[i + 1]);
    }

    /**
     * @param i task index
     * @return how many tasks wait for {@code i}
     */
    public int dependentCount(int i) {
        return outStart[i + 1] - outStart[i];
    }

    /**
     * Reads one dependent without allocating.
     *
     * @param i task index
     * @param k {@code 0 <= k < dependentCount(i)}
     * @return the index of the k-th task waiting for {@code i}
     */
    public int dependentAt(int i, int k) {
        if (k < 0 || k >= dependentCount(i)) {
            throw new IndexOutOfBoundsException(k);
        }
        return outs[outStart[i] + k];
    }

    /**
     * @param i task index
     * @return the zero-based parallel group the task runs in
     */
    public int group(int i) {
        return group[i];
    }

    /** @return the effective schedule: task ids per group, in plan order within a computed group */
    public List<List<String>> parallelGroups() {
        return groups;
    }

    /** @return true when the groups are the plan's own, false when computed by longest-path layering */
    public boolean groupsFromPlan() {
        return groupsFromPlan;
    }

    /**
     * The references in a task's input, parsed. Validation checked every one of them without keeping them (a large
     * plan would pay for objects the scheduler never reads), so they are parsed again from the immutable input on
     * each call; keep the list if you need it more than once.
     *
     * @param i task index
     * @return the references in the task's input, in document order, each with its JSON pointer
     */
    public List<ReferenceSite> references(int i) {
        List<ReferenceSite> found = new ArrayList<>(4);
        tasks[i].visitReferences((pointer, text) -> found.add(new ReferenceSite(pointer, Reference.parse(text))));
        return found.isEmpty() ? List.of() : Collections.unmodifiableList(found);
    }

    /** @return the caller's parameters ({@code task0}'s input), empty when the plan has none */
    public Map<String, Object> params() {
        return params;
    }

    /** @return the number of tasks on the longest dependency chain */
    public int criticalPathLength() {
        return criticalPathLength;
    }

    @Override
    public String toString() {
        return "PlanGraph[" + tasks.length + " tasks, " + deps.length + " edges, " + groups.size() + " groups]";
    }
}
