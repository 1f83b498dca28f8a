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
import java.util.List;
import java.util.Map;

/**
 * One validation pass over one plan. Not thread-safe; {@link PlanValidator} creates one per call.
 *
 * <p>Everything is linear in tasks + references: ids are hashed once, edges go into flat int arrays, layering is
 * Kahn's algorithm, and cycle search is an iterative depth-first walk over the tasks Kahn could not order.
 */
final class ValidationRun {

    /** Cycles reported per plan; one is enough to act on, a few help, thousands only flood. */
    private static final int MAX_CYCLES = 10;
    /** Tasks named in one cycle message before it is shortened. */
    private static final int MAX_CYCLE_NAMES = 50;

    private final Plan plan;
    private final ServiceCatalog catalog;
    private final SchemaChecker checker;
    private final ValidationLimits limits;
    private final List<ValidationError> errors = new ArrayList<>();

    // executable tasks, task0 and duplicates excluded
    private Task[] tasks;
    private int[] planPos;
    private int n;
    private IdTable index;
    private Task params;
    // every task's resolved reference sites in one flat array: task i owns sites[siteStart[i] .. siteStart[i + 1])
    private ReferenceSite[] sites;
    private int[] siteStart;
    private List<String>[] refPointers; // every reference-shaped string, parsable or not
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
        int executable = all.size() - (!all.isEmpty() && all.get(0).isParams() ? 1 : 0);
        if (executable > limits.maxTasks()) {
            errors.add(new ValidationError(ValidationCode.LIMIT_EXCEEDED, null, "/tasks",
                    "the plan has " + executable + " tasks; the limit is " + limits.maxTasks()));
            return new ValidationResult(errors, List.of(), 0, null);
        }
        indexTasks(all);
        if (n == 0) {
            errors.add(new ValidationError(ValidationCode.EMPTY_PLAN, null, "/tasks", "the plan has no task to run"));
        }
        if (params != null) {
            new InputWalker(params, all.indexOf(params), false).walkInput();
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
                    groups, fromPlan, sites, siteStart, plan.params(), critical);
        }
        return new ValidationResult(errors, groups, critical, graph);
    }

    private void error(ValidationCode code, String taskId, String path, String message) {
        errors.add(new ValidationError(code, taskId, path, message));
    }

    private String base(int i) {
        return "/tasks/" + planPos[i];
    }

    @SuppressWarnings("unchecked")
    private void indexTasks(List<Task> all) {
        int total = all.size();
        tasks = new Task[total];
        planPos = new int[total];
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
        tasks = Arrays.copyOf(tasks, n);
        planPos = Arrays.copyOf(planPos, n);
        // pointers of unparsable references too: only the input schema check needs them
        refPointers = catalog != null && checker != null ? new List[n] : null;
        parsedTexts = new HashMap<>(Math.max(16, n * 2));
    }

    private void checkTasks() {
        depStart = new int[n + 1];
        siteStart = new int[n + 1];
        sites = new ReferenceSite[Math.max(16, n * 2)];
        int[] edges = new int[Math.max(16, n * 2)];
        int edgeCount = 0;
        int[] seen = new int[n]; // seen[j] == i + 1 when edge i -> j is already recorded
        InputWalker walker = new InputWalker(null, 0, true); // one per run: its buffers are reused task after task
        for (int i = 0; i < n; i++) {
            depStart[i] = edgeCount;
            siteStart[i] = siteCount;
            Task t = tasks[i];
            String id = t.id();
            if (t.service() == null || t.service().isBlank()) {
                error(ValidationCode.MISSING_SERVICE, id, base(i) + "/service", "task '" + id + "' names no service");
            } else if (catalog != null && !catalog.contains(t.service())) {
                error(ValidationCode.UNKNOWN_SERVICE, id, base(i) + "/service",
                        "task '" + id + "' uses service '" + abbreviate(t.service()) + "', which is not in the catalog");
            }
            walker.reset(t, planPos[i]);
            walker.walkInput();
            int found = walker.pointers.size();
            if (refPointers != null) {
                refPointers[i] = found == 0 ? List.of() : List.copyOf(walker.pointers);
            }
            for (int r = 0; r < found; r++) {
                String pointer = walker.pointers.get(r);
                String text = walker.texts.get(r);
                Parsed p = parsed(text);
                Reference ref = p.reference;
                if (ref == null) {
                    error(ValidationCode.INVALID_REFERENCE, id, base(i) + "/input" + pointer, p.syntaxError
                            + " (write '$$' to start a literal text with '$')");
                    continue;
                }
                int j = p.target == TARGET_UNRESOLVED || p.target == i ? target(i, ref.taskId(), ref, pointer) : p.target;
                if (j >= 0) {
                    addSite(new ReferenceSite(pointer, ref));
                    if (seen[j] != i + 1) {
                        seen[j] = i + 1;
                        if (edgeCount == edges.length) {
                            edges = Arrays.copyOf(edges, edges.length * 2);
                        }
                        edges[edgeCount++] = j;
                    }
                } else if (j == -1) {
                    addSite(new ReferenceSite(pointer, ref)); // task0
                }
            }
            List<String> dependsOn = t.dependsOn();
            for (int q = 0; q < dependsOn.size(); q++) {
                String d = dependsOn.get(q);
                int j = target(i, d, null, "/depends_on/" + q);
                if (j >= 0 && seen[j] != i + 1) {
                    seen[j] = i + 1;
                    if (edgeCount == edges.length) {
                        edges = Arrays.copyOf(edges, edges.length * 2);
                    }
                    edges[edgeCount++] = j;
                }
            }
        }
        depStart[n] = edgeCount;
        siteStart[n] = siteCount;
        deps = Arrays.copyOf(edges, edgeCount);
    }

    private int siteCount;

    private void addSite(ReferenceSite site) {
        if (siteCount == sites.length) {
            sites = Arrays.copyOf(sites, sites.length * 2);
        }
        sites[siteCount++] = site;
    }

    /** Marks a cached reference whose target must be resolved again, reporting its error at this site. */
    private static final int TARGET_UNRESOLVED = -3;

    /**
     * A reference text parsed once per run. Plans repeat the same text many times ({@code $task0.orderId} in every
     * task, a producer's output in each consumer), so the parse, the id look-up and the check of a {@code task0}
     * path are done once per distinct text. Only successful resolutions are cached: a problem is reported again at
     * every site, with that site's location, exactly as without the cache.
     */
    private static final class Parsed {
        final Reference reference;
        final String syntaxError;
        /** The producer's index, -1 for task0 (no edge), {@link #TARGET_UNRESOLVED} when it must be resolved again. */
        int target = TARGET_UNRESOLVED;

        Parsed(Reference reference, String syntaxError) {
            this.reference = reference;
            this.syntaxError = syntaxError;
        }
    }

    private HashMap<String, Parsed> parsedTexts;

    private Parsed parsed(String text) {
        Parsed p = parsedTexts.get(text);
        if (p != null) {
            return p;
        }
        try {
            Reference ref = Reference.parse(text);
            p = new Parsed(ref, null);
            p.target = resolveQuietly(ref);
        } catch (ReferenceSyntaxException e) {
            p = new Parsed(null, e.getMessage());
        }
        parsedTexts.put(text, p);
        return p;
    }

    /**
     * The target of a reference when it is fine from any task but its producer (a self-reference is checked per
     * site): the producer's index, -1 for a resolvable task0 path, else {@link #TARGET_UNRESOLVED}.
     */
    private int resolveQuietly(Reference ref) {
        String targetId = ref.taskId();
        if (Reference.PARAMS_TASK.equals(targetId)) {
            if (params == null) {
                return TARGET_UNRESOLVED;
            }
            return ref.path().isEmpty() || ref.resolvablePrefix(params.input()) == ref.path().size()
                    ? -1 : TARGET_UNRESOLVED;
        }
        int j = index.get(targetId);
        return j < 0 ? TARGET_UNRESOLVED : j;
    }

    /**
     * Resolves the task a reference or depends_on names.
     *
     * @return its index, -1 for task0 (no edge), -2 after reporting a problem
     */
    private int target(int i, String targetId, Reference ref, String relative) {
        String id = tasks[i].id();
        if (targetId.equals(id)) {
            error(ValidationCode.SELF_REFERENCE, id, loc(i, ref, relative), "task '" + id + "' cannot wait for itself: " + what(targetId, ref));
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

    private int[] dependents(int[] outStart) {
        for (int e = 0; e < deps.length; e++) {
            outStart[deps[e] + 1]++;
        }
        for (int i = 0; i < n; i++) {
            outStart[i + 1] += outStart[i];
        }
        int[] fill = Arrays.copyOf(outStart, n);
        int[] outs = new int[deps.length];
        for (int i = 0; i < n; i++) {
            for (int e = depStart[i]; e < depStart[i + 1]; e++) {
                outs[fill[deps[e]]++] = i;
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
            sb.append(tasks[cycle[(start + k) % cycle.length]].id());
        }
        int first = cycle[start];
        String next = tasks[cycle[(start + 1) % cycle.length]].id();
        error(ValidationCode.CYCLE, tasks[first].id(), sitePointer(first, next), sb.toString());
    }

    /** Where task i names the task with the given id: a reference first, else its depends_on entry. */
    private String sitePointer(int i, String targetId) {
        for (int k = siteStart[i]; k < siteStart[i + 1]; k++) {
            ReferenceSite site = sites[k];
            if (site.reference().taskId().equals(targetId)) {
                return base(i) + "/input" + site.pointer();
            }
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
                            "task '" + id + "' is already in group " + groupOf[i]);
                } else {
                    groupOf[i] = g;
                    posInGroup[i] = p;
                }
            }
        }
        for (int i = 0; i < n; i++) {
            if (groupOf[i] < 0) {
                error(ValidationCode.GROUP_MISSING_TASK, tasks[i].id(), "/parallel_groups",
                        "task '" + tasks[i].id() + "' is in no parallel group, so it would never run");
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
                            "task '" + tasks[i].id() + "' (group " + groupOf[i] + ") must be in a later group than '"
                                    + tasks[j].id() + "' (group " + groupOf[j] + "), which it waits for");
                }
            }
        }
        return groupOf;
    }

    private void checkSchemas() {
        Map<String, List<String>> schemaProblems = new HashMap<>();
        for (int i = 0; i < n; i++) {
            Task t = tasks[i];
            ServiceDescriptor d = t.service() == null ? null : catalog.find(t.service()).orElse(null);
            if (d == null) {
                continue;
            }
            if (checker != null && d.inputSchema() != null && !schemaProblems.containsKey(d.name())) {
                List<String> problems = checker.checkSchema(d.inputSchema());
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
                for (SchemaViolation v : checker.validate(d.inputSchema(), t.input())) {
                    if (!underReference(v.pointer(), refPtrs)) {
                        error(ValidationCode.SCHEMA_VIOLATION, t.id(), base(i) + "/input" + v.pointer(),
                                "input of service '" + d.name() + "': " + v.message());
                    }
                }
            }
        }
        for (int i = 0; i < n; i++) {
            for (int k = siteStart[i]; k < siteStart[i + 1]; k++) {
                ReferenceSite site = sites[k];
                Reference ref = site.reference();
                if (ref.isParams() || ref.path().isEmpty()) {
                    continue;
                }
                Task producer = tasks[index.get(ref.taskId())];
                ServiceDescriptor d = producer.service() == null ? null : catalog.find(producer.service()).orElse(null);
                if (d != null && d.outputSchema() != null) {
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

    static String abbreviate(String s) {
        if (s == null) {
            return "null";
        }
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }

    /**
     * Walks one input, checking depth and string limits and collecting reference-shaped strings. Recursion depth is
     * bounded by {@link ValidationLimits#maxDepth()}, never by the data.
     */
    private final class InputWalker {
        private Task task;
        private int position;
        private final boolean collect;
        private final ArrayList<String> path = new ArrayList<>();
        final List<String> pointers = new ArrayList<>(4);
        final List<String> texts = new ArrayList<>(4);
        private boolean tooDeep;
        private final HashMap<String, String> topPointers = new HashMap<>();

        InputWalker(Task task, int position, boolean collect) {
            this.task = task;
            this.position = position;
            this.collect = collect;
        }

        void reset(Task task, int position) {
            this.task = task;
            this.position = position;
            this.tooDeep = false;
            pointers.clear();
            texts.clear();
        }

        void walkInput() {
            walk(task.input(), 1);
        }

        private void walk(Object value, int depth) {
            if (value instanceof String s) {
                if (s.length() > limits.maxStringLength()) {
                    limit("a string of " + s.length() + " characters exceeds the limit of " + limits.maxStringLength());
                } else if (collect && Reference.isReference(s)) {
                    pointers.add(pointer());
                    texts.add(s);
                }
                return;
            }
            boolean container = value instanceof Map || value instanceof List;
            if (!container) {
                return;
            }
            if (depth > limits.maxDepth()) {
                if (!tooDeep) {
                    tooDeep = true;
                    limit("the input nests deeper than " + limits.maxDepth() + " levels");
                }
                return;
            }
            if (value instanceof Map<?, ?> map) {
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    String key = (String) e.getKey();
                    path.add(JsonValues.escape(key));
                    if (key.length() > limits.maxStringLength()) {
                        limit("a key of " + key.length() + " characters exceeds the limit of " + limits.maxStringLength());
                    } else {
                        walk(e.getValue(), depth + 1);
                    }
                    path.remove(path.size() - 1);
                }
            } else {
                List<?> list = (List<?>) value;
                for (int k = 0; k < list.size(); k++) {
                    path.add(Integer.toString(k));
                    walk(list.get(k), depth + 1);
                    path.remove(path.size() - 1);
                }
            }
        }

        private void limit(String message) {
            error(ValidationCode.LIMIT_EXCEEDED, task.id(), "/tasks/" + position + "/input" + pointer(), message);
        }

        private String pointer() {
            if (path.isEmpty()) {
                return "";
            }
            if (path.size() == 1) {
                // top-level keys repeat from task to task ("orderId" in each): share one pointer string per key
                String key = path.get(0);
                String p = topPointers.get(key);
                if (p == null) {
                    p = "/" + key;
                    topPointers.put(key, p);
                }
                return p;
            }
            StringBuilder sb = new StringBuilder();
            for (String p : path) {
                sb.append('/').append(p);
            }
            return sb.toString();
        }
    }
}
