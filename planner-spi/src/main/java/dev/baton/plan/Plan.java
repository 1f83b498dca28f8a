package dev.baton.plan;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An execution plan in Orra's format: tasks, each naming a service, whose inputs may reference earlier outputs, and
 * optional {@code parallel_groups}.
 *
 * <pre>{@code
 * Plan plan = Plan.builder()
 *     .params(Map.of("customerId", "CUST789", "orderId", "ORD456"))
 *     .task("task1", "customer-service", Map.of("customerId", "$task0.customerId"))
 *     .task("task2", "order-system", Map.of("orderId", "$task0.orderId"))
 *     .task("task3", "ai-agent", Map.of("customer", "$task1", "order", "$task2.details"))
 *     .build();
 * }</pre>
 *
 * <p>A plan is a value: immutable, thread-safe, equal by content. Building one does not validate it (a plan with a
 * cycle can be built and then reported with every other problem by the core's validator).
 */
public final class Plan {

    private final List<Task> tasks;
    private final List<List<String>> parallelGroups;
    private final Map<String, Task> byId;

    private Plan(List<Task> tasks, List<List<String>> parallelGroups) {
        this.tasks = List.copyOf(tasks);
        List<List<String>> groups = new ArrayList<>(parallelGroups.size());
        for (List<String> g : parallelGroups) {
            groups.add(List.copyOf(g));
        }
        this.parallelGroups = Collections.unmodifiableList(groups);
        Map<String, Task> index = new HashMap<>(Math.max(4, (int) (this.tasks.size() / 0.75f) + 1));
        for (Task t : this.tasks) {
            index.putIfAbsent(t.id(), t);
        }
        this.byId = index;
    }

    /**
     * A plan made of the given tasks.
     *
     * @param tasks          every task in plan order, {@code task0} included when present
     * @param parallelGroups the schedule, or an empty list to let the engine compute it
     * @return the plan
     */
    public static Plan of(List<Task> tasks, List<List<String>> parallelGroups) {
        Objects.requireNonNull(tasks, "tasks");
        Objects.requireNonNull(parallelGroups, "parallelGroups");
        for (Task t : tasks) {
            Objects.requireNonNull(t, "task");
        }
        for (List<String> g : parallelGroups) {
            Objects.requireNonNull(g, "parallel group");
            for (String id : g) {
                Objects.requireNonNull(id, "task id in parallel group");
            }
        }
        return new Plan(tasks, parallelGroups);
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return every task in plan order, {@code task0} included when present */
    public List<Task> tasks() {
        return tasks;
    }

    /**
     * The caller's parameters: {@code task0}'s input.
     *
     * @return the parameters, empty when there is no {@code task0}
     */
    public Map<String, Object> params() {
        Task t0 = byId.get(Reference.PARAMS_TASK);
        return t0 == null ? Map.of() : t0.input();
    }

    /**
     * Finds a task by id (the first one, if ids are duplicated).
     *
     * @param id task id
     * @return the task, if present
     */
    public Optional<Task> task(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** @return the plan's own parallel groups, or an empty list when it gives none */
    public List<List<String>> parallelGroups() {
        return parallelGroups;
    }

    /** @return whether the plan gives its own parallel groups */
    public boolean hasParallelGroups() {
        return !parallelGroups.isEmpty();
    }

    /**
     * A copy of this plan with other parallel groups.
     *
     * @param groups the new groups (empty to drop them)
     * @return the new plan
     */
    public Plan withParallelGroups(List<List<String>> groups) {
        return of(tasks, groups);
    }

    /**
     * The plan as plain JSON values in Orra's format: {@code {"tasks": [{"id", "service"?, "input", "depends_on"?}],
     * "parallel_groups"?}}. The JSON adapter prints exactly this.
     *
     * @return an insertion-ordered, immutable map
     */
    public Map<String, Object> toJsonMap() {
        List<Object> out = new ArrayList<>(tasks.size());
        for (Task t : tasks) {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("id", t.id());
            if (t.service() != null) {
                m.put("service", t.service());
            }
            m.put("input", t.input());
            if (!t.dependsOn().isEmpty()) {
                m.put("depends_on", t.dependsOn());
            }
            out.add(m);
        }
        Map<String, Object> root = new java.util.LinkedHashMap<>();
        root.put("tasks", out);
        if (hasParallelGroups()) {
            root.put("parallel_groups", parallelGroups);
        }
        return JsonValues.freezeObject(root);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Plan p && tasks.equals(p.tasks) && parallelGroups.equals(p.parallelGroups);
    }

    @Override
    public int hashCode() {
        return 31 * tasks.hashCode() + parallelGroups.hashCode();
    }

    @Override
    public String toString() {
        return "Plan[" + tasks.size() + " tasks" + (parallelGroups.isEmpty() ? "" : ", " + parallelGroups.size() + " groups") + "]";
    }

    /**
     * Builds a {@link Plan}. Not thread-safe; each setting is checked as it is made.
     */
    public static final class Builder {
        private Map<String, Object> params;
        private final List<Task> tasks = new ArrayList<>();
        private List<List<String>> groups = List.of();

        private Builder() {
        }

        /**
         * Sets the caller's parameters, which become {@code task0}'s input and always come first.
         *
         * @param params a JSON object
         * @return this builder
         */
        public Builder params(Map<String, ?> params) {
            this.params = JsonValues.freezeObject(Objects.requireNonNull(params, "params"));
            return this;
        }

        /**
         * Adds a task.
         *
         * @param id      task id
         * @param service service name
         * @param input   JSON object input; string values starting with {@code $} are references
         * @return this builder
         */
        public Builder task(String id, String service, Map<String, ?> input) {
            Objects.requireNonNull(service, "service");
            tasks.add(Task.of(id, service, input));
            return this;
        }

        /**
         * Adds a task that must also wait for other tasks it takes no data from.
         *
         * @param id        task id
         * @param service   service name
         * @param input     JSON object input
         * @param dependsOn ids of tasks to wait for
         * @return this builder
         */
        public Builder task(String id, String service, Map<String, ?> input, List<String> dependsOn) {
            Objects.requireNonNull(service, "service");
            Task t = Task.of(id, service, input);
            tasks.add(new Task(t.id(), service, t.input(), dependsOn));
            return this;
        }

        /**
         * Adds a task.
         *
         * @param task the task
         * @return this builder
         */
        public Builder task(Task task) {
            tasks.add(Objects.requireNonNull(task, "task"));
            return this;
        }

        /**
         * Sets the schedule: group k+1 starts when group k has finished.
         *
         * @param groups task ids per group
         * @return this builder
         */
        public Builder parallelGroups(List<? extends List<String>> groups) {
            Objects.requireNonNull(groups, "parallelGroups");
            List<List<String>> copy = new ArrayList<>(groups.size());
            for (List<String> g : groups) {
                copy.add(List.copyOf(Objects.requireNonNull(g, "parallel group")));
            }
            this.groups = copy;
            return this;
        }

        /** @return the plan */
        public Plan build() {
            List<Task> all = new ArrayList<>(tasks.size() + 1);
            if (params != null) {
                all.add(new Task(Reference.PARAMS_TASK, null, params, List.of()));
                for (Task t : tasks) {
                    if (!t.isParams()) {
                        all.add(t);
                    }
                }
            } else {
                all.addAll(tasks);
            }
            return new Plan(all, groups);
        }
    }
}
