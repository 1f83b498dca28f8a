package dev.baton.validation;

import dev.baton.plan.JsonValues;
import dev.baton.plan.PathSegment;
import dev.baton.plan.Plan;
import dev.baton.plan.Reference;
import dev.baton.plan.ReferenceSyntaxException;
import dev.baton.plan.Task;
import dev.baton.planner.ServiceCatalog;
import dev.baton.planner.ServiceDescriptor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * One validation pass over one plan. Not thread-safe; {@link PlanValidator} creates one per call.
 *
 * <p>Everything is linear in tasks + references: ids are hashed once, edges go into flat int arrays, layering is
 * Kahn's algorithm, and cycle search is an iterative depth-first walk over the tasks Kahn could not order.
 *
 * <p>References are checked where the input walk finds them, without building anything for a reference that is
 * fine: {@link Reference#checkSyntax} checks the text, the task id is looked up in place, and the JSON pointer of a
 * reference is spelled out only for an error (or when the catalog checks need it). A reference with a problem is
 * parsed in full to report it, exactly as before; cost is paid by bad plans, not by good ones.
 */
final class ValidationRun {

    private static final String PARAMS_PREFIX = "$" + Reference.PARAMS_TASK;
    /** Cycles reported per plan; one is enough to act on, a few help, thousands only flood. */
    private static final int MAX_CYCLES = 10;
    /** Tasks named in one cycle message before it is shortened. */
    private static final int MAX_CYCLE_NAMES = 50;

    private final Plan plan;
    private final ServiceCatalog catalog;
    private final SchemaChecker checker;
    private final ValidationLimits limits;
    private final List<ValidationError> errors = new ArrayList<>();
    /** Where {@link #error} writes: {@link #errors}, or {@link #deferred} while a task's input is being walked. */
    private List<ValidationError> sink = errors;
    /** Reference problems of the task being walked, reported after its limit problems as a whole walk would. */
    private final List<ValidationError> deferred = new ArrayList<>();

    // executable tasks, task0 and duplicates excluded
    private Task[] tasks;
    private int[] planPos;
    private int n;
    private IdTable index;
    private Task params;
    /** task0 reference texts whose whole path exists in the parameters; a miss is re-checked (and reported) per site. */
    private HashSet<String> paramsPathsFound;
    // the task being walked, its dependency edges so far, and seen[j] == current + 1 once edge current -> j is in
    private int current;
    private int[] edges;
    private int edgeCount;
    private int[] seen;
    private InputWalker walker;
    // only with a catalog (output-field and input-schema checks): every task's resolved reference sites in one flat
    // array, task i owning sites[siteStart[i] .. siteStart[i + 1]), and every reference-shaped string's pointer
    private ReferenceSite[] sites;
    private int[] siteStart;
    private boolean[] hasOutputSchema;
    private int siteCount;
    private List<String>[] refPointers; // every reference-shaped string, parsable or not
    private List<String> taskRefPointers;
    private int[] depStart;
    private int[] deps;

    ValidationRun(Plan plan, ServiceCatalog catalog, SchemaChecker checker, ValidationLimits limits) {
        this.plan = plan;
        this.catalog = catalog;
        this.checker = checker;
        this.limits = limits;
    }

    ValidationResult run() {
        List<Task> all = plan.tasks();
        // task0 never runs, wherever it stands (a duplicate of it is an error reported below, and counts here)
        int executable = all.size() - (plan.task(Reference.PARAMS_TASK).isPresent() ? 1 : 0);
        if (executable > limits.maxTasks()) {
            errors.add(new ValidationError(ValidationCode.LIMIT_EXCEEDED, null, "/tasks",
                    "the plan has " + executable + " tasks; the limit is " + limits.maxTasks()));
            return new ValidationResult(errors, List.of(), 0, null);
        }
        indexTasks(all, executable);
        if (n == 0) {
            errors.add(new ValidationError(ValidationCode.EMPTY_PLAN, null, "/tasks", "the plan has no task to run"));
        }
        walker = new InputWalker();
        if (params != null) {
            walker.walk(params, all.indexOf(params), InputWalker.LIMITS_ONLY);
        }
        checkTasks();
        int[] outStart = new int[n + 1];
        int[] outs = dependents(outStart);
        int[] level = new int[n];
        boolean acyclic = layer(outStart, outs, level);
        if (!acyclic) {
            findCycles();
        }
        int maxLevel = -1;
        for (int i = 0; i < n; i++) {
            maxLevel = Math.max(maxLevel, level[i]);
        }
        int critical = acyclic ? maxLevel + 1 : 0;
        List<List<String>> groups;
        int[] groupOf;
        boolean fromPlan = plan.hasParallelGroups();
        if (fromPlan) {
            groupOf = checkGroups();
            groups = plan.parallelGroups();
        } else if (acyclic) {
            groupOf = level;
            groups = computedGroups(level, maxLevel + 1);
        } else {
            groupOf = level;
            groups = List.of();
        }
        if (catalog != null) {
            checkSchemas();
        }
        PlanGraph graph = null;
        if (errors.isEmpty()) {
            graph = new PlanGraph(tasks, index, depStart, deps, outStart, outs, groupOf,
                    groups, fromPlan, plan.params(), critical);
        }
        return new ValidationResult(errors, groups, critical, graph);
    }

    private void error(ValidationCode code, String taskId, String path, String message) {
        sink.add(new ValidationError(code, taskId, path, message));
    }

    private String base(int i) {
        return "/tasks/" + planPos[i];
    }

    @SuppressWarnings("unchecked")
    private void indexTasks(List<Task> all, int executable) {
        int total = all.size();
        // executable is an upper bound of n: task0 (first or not) and duplicates are left out
        tasks = new Task[executable];
        planPos = new int[executable];
        index = new IdTable(total);
        Map<String, Integer> firstPos = new HashMap<>();
        for (int k = 0; k < total; k++) {
            Task t = all.get(k);
            String id = t.id();
            if (!Reference.isTaskId(id)) {
                error(ValidationCode.INVALID_TASK_ID, id, "/tasks/" + k + "/id",
                        "task id '" + abbreviate(id) + "' must be 1 to 128 letters, digits, '_' or '-'");
            }
            if (t.isParams()) {
                if (t.service() != null) {
                    // a planner that numbered its first real task 0: run as parameters, it would silently never run
                    error(ValidationCode.INVALID_STRUCTURE, id, "/tasks/" + k + "/service",
                            "task0 holds the caller's parameters and never runs, so it cannot name a service ('"
                                    + abbreviate(t.service()) + "'); give that task another id");
                }
                if (params == null) {
                    params = t;
                    firstPos.put(id, k);
                } else {
                    error(ValidationCode.DUPLICATE_TASK_ID, id, "/tasks/" + k + "/id",
                            "task id 'task0' is already used by /tasks/" + firstPos.get(id));
                }
                continue;
            }
            int prev = index.putIfAbsent(id, n);
            if (prev >= 0) {
                error(ValidationCode.DUPLICATE_TASK_ID, id, "/tasks/" + k + "/id",
                        "task id '" + abbreviate(id) + "' is already used by /tasks/" + planPos[prev]);
                continue;
            }
            tasks[n] = t;
            planPos[n] = k;
            n++;
        }
        if (n < executable) {
            tasks = Arrays.copyOf(tasks, n);
            planPos = Arrays.copyOf(planPos, n);
        }
        if (catalog != null) {
            sites = new ReferenceSite[Math.max(16, n * 2)];
            siteStart = new int[n + 1];
            // a reference site is kept only where the output-field check can use it: into a producer with an output
            // schema, along a path
            hasOutputSchema = new boolean[n];
            for (int i = 0; i < n; i++) {
                ServiceDescriptor d = tasks[i].service() == null ? null : catalog.find(tasks[i].service()).orElse(null);
                hasOutputSchema[i] = d != null && d.outputSchema() != null;
            }
            // pointers of unparsable references too: only the input schema check needs them
            if (checker != null) {
                refPointers = new List[n];
                taskRefPointers = new ArrayList<>(4);
            }
        }
    }

    private void checkTasks() {
        depStart = new int[n + 1];
        edges = new int[Math.max(16, n * 2)];
        seen = new int[n];
        for (int i = 0; i < n; i++) {
            depStart[i] = edgeCount;
            if (siteStart != null) {
                siteStart[i] = siteCount;
            }
            Task t = tasks[i];
            String id = t.id();
            if (t.service() == null || t.service().isBlank()) {
                error(ValidationCode.MISSING_SERVICE, id, base(i) + "/service", "task '" + abbreviate(id) + "' names no service");
            } else if (catalog != null && !catalog.contains(t.service())) {
                error(ValidationCode.UNKNOWN_SERVICE, id, base(i) + "/service",
                        "task '" + abbreviate(id) + "' uses service '" + abbreviate(t.service()) + "', which is not in the catalog");
            }
            current = i;
            sink = deferred;
            walker.walk(t, planPos[i], InputWalker.CHECK);
            sink = errors;
            if (!deferred.isEmpty()) {
                errors.addAll(deferred);
                deferred.clear();
            }
            if (refPointers != null) {
                refPointers[i] = taskRefPointers.isEmpty() ? List.of() : List.copyOf(taskRefPointers);
                taskRefPointers.clear();
            }
            List<String> dependsOn = t.dependsOn();
            for (int q = 0; q < dependsOn.size(); q++) {
                String d = dependsOn.get(q);
                int j = target(i, d, null, "/depends_on/" + q);
                if (j >= 0) {
                    addEdge(i, j);
                }
            }
        }
        depStart[n] = edgeCount;
        if (siteStart != null) {
            siteStart[n] = siteCount;
        }
        deps = Arrays.copyOf(edges, edgeCount);
        edges = null;
    }

    private void addEdge(int i, int j) {
        if (seen[j] != i + 1) {
            seen[j] = i + 1;
            if (edgeCount == edges.length) {
                edges = Arrays.copyOf(edges, edges.length * 2);
            }
            edges[edgeCount++] = j;
        }
    }

    /**
     * One reference-shaped string of the task being walked, in document order. The usual case, a well-formed
     * reference to another task of the plan or to a parameter that exists, costs a syntax scan and one look-up;
     * anything else is parsed and reported by {@link #target}, at this site, with this site's location.
     */
    private void reference(String text) {
        int i = current;
        String pointer = null;
        if (taskRefPointers != null) {
            pointer = walker.pointer();
            taskRefPointers.add(pointer);
        }
        int j;
        if (paramsPathsFound != null && text.startsWith(PARAMS_PREFIX) && paramsPathsFound.contains(text)) {
            j = -1; // the same text was checked and found before (plans repeat "$task0.orderId" in every task)
        } else {
            int idEnd;
            try {
                idEnd = Reference.checkSyntax(text);
            } catch (ReferenceSyntaxException e) {
                error(ValidationCode.INVALID_REFERENCE, tasks[i].id(), base(i) + "/input" + walker.pointer(),
                        e.getMessage() + " (write '$$' to start a literal text with '$')");
                return;
            }
            if (idEnd == PARAMS_PREFIX.length() && text.startsWith(PARAMS_PREFIX)) {
                j = params != null && (idEnd == text.length() || paramsPathFound(text)) ? -1 : resolve(i, text);
            } else {
                j = index.get(text, 1, idEnd);
                if (j < 0 || j == i) {
                    j = resolve(i, text);
                }
            }
        }
        if (j >= 0) {
            addEdge(i, j);
        }
        if (j >= 0 && hasOutputSchema != null && hasOutputSchema[j]) {
            Reference ref = Reference.parse(text);
            if (!ref.path().isEmpty()) {
                addSite(new ReferenceSite(pointer != null ? pointer : walker.pointer(), ref));
            }
        }
    }

    /** The slow path: parses the reference and resolves it, reporting any problem at the current site. */
    private int resolve(int i, String text) {
        Reference ref = Reference.parse(text);
        return target(i, ref.taskId(), ref, walker.pointer());
    }

    /**
     * Whether the whole path of a well-formed {@code $task0...} reference exists in the parameters. A text found is
     * remembered, so that {@link #reference} parses it once, not at every site.
     */
    private boolean paramsPathFound(String text) {
        if (paramsPathsFound == null) {
            paramsPathsFound = new HashSet<>();
        }
        Reference ref = Reference.parse(text);
        if (ref.resolvablePrefix(params.input()) == ref.path().size()) {
            paramsPathsFound.add(text);
            return true;
        }
        return false;
    }

    private void addSite(ReferenceSite site) {
        if (siteCount == sites.length) {
            sites = Arrays.copyOf(sites, sites.length * 2);
        }
        sites[siteCount++] = site;
    }

    /**
     * Resolves the task a reference or depends_on names.
     *
     * @return its index, -1 for task0 (no edge), -2 after reporting a problem
     */
    private int target(int i, String targetId, Reference ref, String relative) {
        String id = tasks[i].id();
        if (targetId.equals(id)) {
            error(ValidationCode.SELF_REFERENCE, id, loc(i, ref, relative), "task '" + abbreviate(id) + "' cannot wait for itself: " + what(targetId, ref));
            return -2;
        }
        if (Reference.PARAMS_TASK.equals(targetId)) {
            if (params == null) {
                if (ref != null) {
                    error(ValidationCode.DANGLING_REFERENCE, id, loc(i, ref, relative), what(targetId, ref)
                            + " names the parameters, but the plan has no task0");
                    return -2;
                }
                return -1;
            }
            if (ref != null && !ref.path().isEmpty()) {
                int ok = ref.resolvablePrefix(params.input());
                if (ok < ref.path().size()) {
                    error(ValidationCode.DANGLING_REFERENCE, id, loc(i, ref, relative), what(targetId, ref)
                            + ": the parameters (task0) have no '" + abbreviate(prefix(ref, ok + 1)) + "'");
                    return -2;
                }
            }
            return -1;
        }
        int j = index.get(targetId);
        if (j < 0) {
            error(ValidationCode.DANGLING_REFERENCE, id, loc(i, ref, relative), what(targetId, ref) + " names no task of the plan");
            return -2;
        }
        return j;
    }

    /** The location of a reference (pointer inside the input) or depends_on entry, built only for errors. */
    private String loc(int i, Reference ref, String relative) {
        return base(i) + (ref == null ? relative : "/input" + relative);
    }

    /** Built only for error messages: most references are fine and should cost no string work. */
    private static String what(String targetId, Reference ref) {
        return ref == null ? "depends_on '" + abbreviate(targetId) + "'" : "reference '" + abbreviate(ref.toString()) + "'";
    }

    private static String prefix(Reference ref, int steps) {
        StringBuilder sb = new StringBuilder("$").append(ref.taskId());
        for (int s = 0; s < steps && s < ref.path().size(); s++) {
            sb.append(ref.path().get(s));
        }
        return sb.toString();
    }

    /** The reverse adjacency, dependents of each task in ascending order, filled from the back in place. */
    private int[] dependents(int[] outStart) {
        int m = deps.length;
        for (int e = 0; e < m; e++) {
            outStart[deps[e]]++;
        }
        for (int j = 1; j < n; j++) {
            outStart[j] += outStart[j - 1]; // now the end of j's range
        }
        outStart[n] = m;
        int[] outs = new int[m];
        for (int i = n - 1; i >= 0; i--) {
            for (int e = depStart[i + 1] - 1; e >= depStart[i]; e--) {
                outs[--outStart[deps[e]]] = i; // moves the end down to the start
            }
        }
        return outs;
    }

    /** Kahn's algorithm with longest-path levels; false when some tasks are on or behind a cycle. */
    private boolean layer(int[] outStart, int[] outs, int[] level) {
        int[] pending = new int[n];
        int[] queue = new int[n];
        int tail = 0;
        for (int i = 0; i < n; i++) {
            pending[i] = depStart[i + 1] - depStart[i];
            if (pending[i] == 0) {
                queue[tail++] = i;
            }
        }
        for (int head = 0; head < tail; head++) {
            int u = queue[head];
            int next = level[u] + 1;
            for (int e = outStart[u]; e < outStart[u + 1]; e++) {
                int v = outs[e];
                if (level[v] < next) {
                    level[v] = next;
                }
                if (--pending[v] == 0) {
                    queue[tail++] = v;
                }
            }
        }
        if (tail == n) {
            return true;
        }
        // levels of tasks Kahn could not order mean nothing; zero them so no caller trusts them
        for (int i = 0; i < n; i++) {
            if (pending[i] > 0) {
                level[i] = 0;
            }
        }
        this.unordered = pending;
        return false;
    }

    private int[] unordered;

    /** Iterative DFS over the tasks left by Kahn, following dependency edges; each back edge closes a cycle. */
    private void findCycles() {
        byte[] state = new byte[n]; // 0 new, 1 on the stack, 2 done
        int[] stack = new int[n];
        int[] cursor = new int[n];
        int found = 0;
        for (int s = 0; s < n && found < MAX_CYCLES; s++) {
            if (unordered[s] == 0 || state[s] != 0) {
                continue;
            }
            int top = 0;
            stack[0] = s;
            cursor[0] = depStart[s];
            state[s] = 1;
            while (top >= 0 && found < MAX_CYCLES) {
                int u = stack[top];
                if (cursor[top] < depStart[u + 1]) {
                    int v = deps[cursor[top]++];
                    if (state[v] == 1) {
                        int from = top;
                        while (stack[from] != v) {
                            from--;
                        }
                        reportCycle(Arrays.copyOfRange(stack, from, top + 1));
                        found++;
                    } else if (state[v] == 0 && unordered[v] > 0) {
                        state[v] = 1;
                        top++;
                        stack[top] = v;
                        cursor[top] = depStart[v];
                    }
                } else {
                    state[u] = 2;
                    top--;
                }
            }
        }
    }

    /** @param cycle tasks where each waits for the next and the last waits for the first */
    private void reportCycle(int[] cycle) {
        int start = 0;
        for (int k = 1; k < cycle.length; k++) {
            if (cycle[k] < cycle[start]) {
                start = k;
            }
        }
        StringBuilder sb = new StringBuilder("tasks wait for each other in a cycle: ");
        for (int k = 0; k <= cycle.length; k++) {
            if (k == MAX_CYCLE_NAMES && cycle.length > MAX_CYCLE_NAMES) {
                sb.append(" -> ... (").append(cycle.length).append(" tasks)");
                break;
            }
            if (k > 0) {
                sb.append(" -> ");
            }
            sb.append(abbreviate(tasks[cycle[(start + k) % cycle.length]].id()));
        }
        int first = cycle[start];
        String next = tasks[cycle[(start + 1) % cycle.length]].id();
        error(ValidationCode.CYCLE, tasks[first].id(), sitePointer(first, next), sb.toString());
    }

    /**
     * Where task i names the task with the given id: its first reference to it, else its depends_on entry. Only
     * reported cycles ask, so the input is walked again (with the same limits) rather than every site kept.
     */
    private String sitePointer(int i, String targetId) {
        String pointer = walker.find(tasks[i], planPos[i], targetId);
        if (pointer != null) {
            return base(i) + "/input" + pointer;
        }
        int q = tasks[i].dependsOn().indexOf(targetId);
        return q >= 0 ? base(i) + "/depends_on/" + q : base(i);
    }

    private List<List<String>> computedGroups(int[] level, int count) {
        int[] size = new int[count];
        for (int i = 0; i < n; i++) {
            size[level[i]]++;
        }
        List<String>[] buckets = newBuckets(count, size);
        for (int i = 0; i < n; i++) {
            buckets[level[i]].add(tasks[i].id());
        }
        List<List<String>> groups = new ArrayList<>(count);
        for (List<String> b : buckets) {
            groups.add(Collections.unmodifiableList(b));
        }
        return Collections.unmodifiableList(groups);
    }

    @SuppressWarnings("unchecked")
    private static List<String>[] newBuckets(int count, int[] size) {
        List<String>[] buckets = new List[count];
        for (int g = 0; g < count; g++) {
            buckets[g] = new ArrayList<>(size[g]);
        }
        return buckets;
    }

    private int[] checkGroups() {
        int[] groupOf = new int[n];
        int[] posInGroup = new int[n];
        Arrays.fill(groupOf, -1);
        List<List<String>> groups = plan.parallelGroups();
        for (int g = 0; g < groups.size(); g++) {
            List<String> group = groups.get(g);
            for (int p = 0; p < group.size(); p++) {
                String id = group.get(p);
                String where = "/parallel_groups/" + g + "/" + p;
                int i = index.get(id);
                if (i < 0) {
                    error(ValidationCode.GROUP_UNKNOWN_TASK, id, where, Reference.PARAMS_TASK.equals(id)
                            ? "task0 holds the parameters and never runs; leave it out of the groups"
                            : "group " + g + " names '" + abbreviate(id) + "', which is not a task of the plan");
                } else if (groupOf[i] >= 0) {
                    error(ValidationCode.GROUP_DUPLICATE_TASK, id, where,
                            "task '" + abbreviate(id) + "' is already in group " + groupOf[i]);
                } else {
                    groupOf[i] = g;
                    posInGroup[i] = p;
                }
            }
        }
        for (int i = 0; i < n; i++) {
            if (groupOf[i] < 0) {
                error(ValidationCode.GROUP_MISSING_TASK, tasks[i].id(), "/parallel_groups",
                        "task '" + abbreviate(tasks[i].id()) + "' is in no parallel group, so it would never run");
            }
        }
        for (int i = 0; i < n; i++) {
            if (groupOf[i] < 0) {
                continue;
            }
            for (int e = depStart[i]; e < depStart[i + 1]; e++) {
                int j = deps[e];
                if (groupOf[j] >= 0 && groupOf[j] >= groupOf[i]) {
                    error(ValidationCode.GROUP_ORDER, tasks[i].id(), "/parallel_groups/" + groupOf[i] + "/" + posInGroup[i],
                            "task '" + abbreviate(tasks[i].id()) + "' (group " + groupOf[i]
                                    + ") must be in a later group than '" + abbreviate(tasks[j].id()) + "' (group "
                                    + groupOf[j] + "), which it waits for");
                }
            }
        }
        return groupOf;
    }

    /** The checker's problems with a schema; its own failure is one problem. */
    private List<String> checkSchema(Map<String, Object> schema) {
        try {
            return checker.checkSchema(schema);
        } catch (RuntimeException e) {
            return List.of("the schema checker failed: " + e);
        }
    }

    private void checkSchemas() {
        Map<String, List<String>> schemaProblems = new HashMap<>();
        // problems of each used service's output schema: reported once, at the first task calling it; a broken
        // schema is not consulted for reference paths (it would make every path look unknown)
        Map<String, List<String>> outputProblems = new HashMap<>();
        for (int i = 0; i < n; i++) {
            Task t = tasks[i];
            ServiceDescriptor d = t.service() == null ? null : catalog.find(t.service()).orElse(null);
            if (d == null) {
                continue;
            }
            if (checker != null && d.outputSchema() != null && !outputProblems.containsKey(d.name())) {
                List<String> problems = checkSchema(d.outputSchema());
                outputProblems.put(d.name(), problems);
                for (String p : problems) {
                    error(ValidationCode.SCHEMA_VIOLATION, t.id(), base(i) + "/service",
                            "the output schema of service '" + d.name() + "' is invalid: " + p);
                }
            }
            if (checker != null && d.inputSchema() != null && !schemaProblems.containsKey(d.name())) {
                List<String> problems = checkSchema(d.inputSchema());
                schemaProblems.put(d.name(), problems);
                for (String p : problems) {
                    error(ValidationCode.SCHEMA_VIOLATION, t.id(), base(i) + "/service",
                            "the input schema of service '" + d.name() + "' is invalid: " + p);
                }
                if (!problems.isEmpty()) {
                    continue;
                }
            }
            if (checker != null && d.inputSchema() != null && schemaProblems.get(d.name()).isEmpty()) {
                List<String> refPtrs = refPointers[i];
                List<SchemaViolation> violations;
                try {
                    violations = checker.validate(d.inputSchema(), t.input());
                } catch (RuntimeException e) {
                    // the checker's own failure: the plan cannot be shown valid, so it is not (and validation, a
                    // re-planner's included, answers instead of throwing)
                    violations = List.of(new SchemaViolation("", "could not be checked: the schema checker failed: "
                            + e));
                }
                for (SchemaViolation v : violations) {
                    if (!underReference(v.pointer(), refPtrs)) {
                        error(ValidationCode.SCHEMA_VIOLATION, t.id(), base(i) + "/input" + v.pointer(),
                                "input of service '" + d.name() + "': " + v.message());
                    }
                }
            }
        }
        // the sites are exactly the references along a path into a producer with an output schema
        for (int i = 0; i < n; i++) {
            for (int k = siteStart[i]; k < siteStart[i + 1]; k++) {
                ReferenceSite site = sites[k];
                ServiceDescriptor d = catalog.find(tasks[index.get(site.reference().taskId())].service()).orElseThrow();
                List<String> broken = outputProblems.get(d.name());
                if (broken == null || broken.isEmpty()) {
                    checkOutputPath(i, site, d);
                }
            }
        }
    }

    private static boolean underReference(String pointer, List<String> refPtrs) {
        for (String r : refPtrs) {
            if (pointer.equals(r) || (pointer.startsWith(r) && pointer.charAt(r.length()) == '/')) {
                return true;
            }
        }
        return false;
    }

    private void checkOutputPath(int i, ReferenceSite site, ServiceDescriptor d) {
        Object schema = d.outputSchema();
        for (PathSegment seg : site.reference().path()) {
            if (!(schema instanceof Map<?, ?> m)) {
                return;
            }
            if (seg instanceof PathSegment.Key key) {
                Object props = m.get("properties");
                Map<?, ?> pm = props instanceof Map<?, ?> p ? p : Map.of();
                if (!pm.containsKey(key.name())) {
                    if (Boolean.FALSE.equals(m.get("additionalProperties"))) {
                        error(ValidationCode.UNKNOWN_OUTPUT_FIELD, tasks[i].id(), base(i) + "/input" + site.pointer(),
                                "reference '" + abbreviate(site.reference().toString()) + "': the output of service '"
                                        + d.name() + "' has no property '" + abbreviate(key.name()) + "' (it declares "
                                        + pm.keySet() + ")");
                    }
                    return;
                }
                schema = pm.get(key.name());
            } else {
                schema = m.get("items");
            }
        }
    }

    /**
     * A text of the plan as a message quotes it: its first 80 characters, on one line. A plan's ids and strings
     * may be up to the limits long and hold any character, and an error message is read by a person, in a log line
     * or on a terminal: control, line-separating and bidirectional-override characters are written as escapes
     * (a line feed as a backslash and {@code n}, a right-to-left override as a backslash, {@code u} and
     * {@code 202e}).
     */
    static String abbreviate(String s) {
        if (s == null) {
            return "null";
        }
        int n = Math.min(s.length(), 80);
        if (n < s.length() && Character.isHighSurrogate(s.charAt(n - 1))) {
            n--; // never half a character
        }
        int i = 0;
        while (i < n && !escaped(s.charAt(i))) {
            i++;
        }
        if (i == n) {
            return n == s.length() ? s : s.substring(0, n) + "...";
        }
        StringBuilder b = new StringBuilder(n + 16).append(s, 0, i);
        for (; i < n; i++) {
            char c = s.charAt(i);
            if (escaped(c)) {
                b.append(escape(c));
            } else {
                b.append(c);
            }
        }
        return n == s.length() ? b.toString() : b.append("...").toString();
    }

    /** @return the text whole, with the characters {@link #abbreviate} escapes escaped */
    static String oneLine(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (escaped(s.charAt(i))) {
                StringBuilder b = new StringBuilder(s.length() + 16).append(s, 0, i);
                for (; i < s.length(); i++) {
                    char c = s.charAt(i);
                    if (escaped(c)) {
                        b.append(escape(c));
                    } else {
                        b.append(c);
                    }
                }
                return b.toString();
            }
        }
        return s;
    }

    /** {@code \\n}, {@code \\r} and {@code \\t} as in Java and JSON, any other as {@code \\u} and four hex digits. */
    private static String escape(char c) {
        return switch (c) {
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            case '\t' -> "\\t";
            default -> String.format("\\u%04x", (int) c);
        };
    }

    private static boolean escaped(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029'
                || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069');
    }

    /**
     * Walks one input, checking depth and string limits and handing each reference-shaped string to
     * {@link #reference}. Recursion depth is bounded by {@link ValidationLimits#maxDepth()}, never by the data. The
     * path to the current value is kept as keys and indexes, and turned into a JSON pointer only when asked for.
     * One walker serves a whole run, so its stacks are allocated once.
     */
    private final class InputWalker implements BiConsumer<Object, Object> {
        /** Reports limit problems only (task0's input, whose strings are data, not references). */
        static final int LIMITS_ONLY = 0;
        /** Reports limit problems and checks every reference. */
        static final int CHECK = 1;
        /** Reports nothing and stops at the first well-formed reference to {@link #wanted}. */
        static final int FIND = 2;

        private Task task;
        private int position;
        private int mode;
        private boolean tooDeep;
        private String wanted;
        private String found;
        // the path to the current value: keys[d] for an object member, or indexes[d] when keys[d] is null
        private String[] keys = new String[8];
        private int[] indexes = new int[8];
        private int top;
        // where accept() puts the members of the object being walked: their slot in the path and their depth
        private int memberSlot;
        private int memberDepth;
        private final int maxStringLength = limits.maxStringLength();
        private final int maxDepth = limits.maxDepth();

        void walk(Task task, int position, int mode) {
            this.task = task;
            this.position = position;
            this.mode = mode;
            this.tooDeep = false;
            this.top = 0;
            walk(task.input(), 1);
        }

        /** @return the pointer (inside the input) of the first well-formed reference to the task, or null */
        String find(Task task, int position, String taskId) {
            wanted = taskId;
            found = null;
            walk(task, position, FIND);
            wanted = null;
            return found;
        }

        private void walk(Object value, int depth) {
            if (value instanceof String s) {
                if (s.length() > maxStringLength) {
                    limit("a string of " + s.length() + " characters exceeds the limit of " + maxStringLength);
                } else if (mode != LIMITS_ONLY && Reference.isReference(s)) {
                    if (mode == CHECK) {
                        reference(s);
                    } else if (found == null && names(s, wanted)) {
                        found = pointer();
                    }
                }
                return;
            }
            boolean container = value instanceof Map || value instanceof List;
            if (!container) {
                return;
            }
            if (depth > maxDepth) {
                if (!tooDeep) {
                    tooDeep = true;
                    limit("the input nests deeper than " + maxDepth + " levels");
                }
                return;
            }
            if (top == keys.length) {
                keys = Arrays.copyOf(keys, top * 2);
                indexes = Arrays.copyOf(indexes, top * 2);
            }
            int d = top++;
            if (value instanceof Map<?, ?> map) {
                int outerSlot = memberSlot;
                int outerDepth = memberDepth;
                memberSlot = d;
                memberDepth = depth + 1;
                map.forEach(this); // a frozen input walks its members without an iterator or entry wrappers
                memberSlot = outerSlot;
                memberDepth = outerDepth;
            } else {
                List<?> list = (List<?>) value;
                keys[d] = null;
                for (int k = 0; k < list.size(); k++) {
                    indexes[d] = k;
                    walk(list.get(k), depth + 1);
                }
            }
            top = d;
        }

        /** One member of the object being walked. */
        @Override
        public void accept(Object k, Object member) {
            String key = (String) k;
            keys[memberSlot] = key;
            if (key.length() > maxStringLength) {
                limit("a key of " + key.length() + " characters exceeds the limit of " + maxStringLength);
            } else {
                walk(member, memberDepth);
            }
        }

        /** Whether the text is a well-formed reference to the given task. */
        private boolean names(String text, String taskId) {
            try {
                int idEnd = Reference.checkSyntax(text);
                return idEnd - 1 == taskId.length() && text.startsWith(taskId, 1);
            } catch (ReferenceSyntaxException e) {
                return false;
            }
        }

        private void limit(String message) {
            if (mode != FIND) {
                errors.add(new ValidationError(ValidationCode.LIMIT_EXCEEDED, task.id(),
                        "/tasks/" + position + "/input" + pointer(), message));
            }
        }

        /** @return the JSON pointer of the current value inside the input, e.g. {@code /items/0/id} */
        String pointer() {
            if (top == 0) {
                return "";
            }
            StringBuilder sb = new StringBuilder();
            for (int d = 0; d < top; d++) {
                sb.append('/');
                if (keys[d] != null) {
                    sb.append(JsonValues.escape(keys[d]));
                } else {
                    sb.append(indexes[d]);
                }
            }
            return sb.toString();
        }
    }
}
