package dev.baton.internal.engine;

import dev.baton.plan.Plan;
import dev.baton.planner.ServiceCatalog;
import dev.baton.planner.ServiceDescriptor;
import dev.baton.validation.PlanGraph;
import dev.baton.validation.PlanValidator;
import dev.baton.validation.ValidationResult;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;

/**
 * The services of an orchestrator, versioned: registering a service again with a changed descriptor adds a version,
 * an identical registration keeps it. Readers take one immutable {@link Catalog} and keep it for as long as they need
 * a consistent view: a run is validated against, and dispatches to, the bindings of the catalog it was submitted
 * with, whatever is registered later. Thread-safe: registrations serialise on this object, readers never block.
 */
public final class ServiceRegistry {

    /**
     * One state of the registry: the planner's catalog (with versions), a validator over it, and the binding in
     * effect per service. Immutable, apart from a small memo of the plans that validated against it.
     */
    public static final class Catalog {
        /** How many validated plans {@link #validate} remembers; a power of two, and small: a hit scans them all. */
        private static final int MEMO_SLOTS = 8;

        final ServiceCatalog catalog;
        final PlanValidator validator;
        private final Map<String, ServiceBinding> bindings;
        /**
         * Valid results by plan identity: the same plan instance submitted again (a caller's constant plan, a
         * resubmitted run id, an action's plan that planning just validated) is not validated again. Plans are
         * immutable and a catalog never changes, so a result stays true for as long as both live; results and their
         * graphs are immutable too (runs only read them), so runs share one. Looked up by scanning the few slots (a
         * handful of reference comparisons, no hashing, no lock) and filled round-robin, so any {@link #MEMO_SLOTS}
         * plans in turn are all remembered. The memo keeps at most that many plans (and their graphs) reachable, for
         * as long as this catalog is: the bound on the entries is the bound on what it holds on to.
         */
        private final AtomicReferenceArray<Validated> validated = new AtomicReferenceArray<>(MEMO_SLOTS);
        /** The slot the next remembered plan takes; advanced only by a validation, never by a hit. */
        private final AtomicInteger nextSlot = new AtomicInteger();

        private Catalog(ServiceCatalog catalog, PlanValidator validator, Map<String, ServiceBinding> bindings) {
            this.catalog = catalog;
            this.validator = validator;
            this.bindings = bindings;
        }

        /** @return the services, with their catalog versions */
        public ServiceCatalog catalog() {
            return catalog;
        }

        /** @return a validator over {@link #catalog()} */
        public PlanValidator validator() {
            return validator;
        }

        /**
         * Validates a plan against this catalog, or answers the result of an earlier successful validation of the same
         * plan instance (by identity: {@link Plan#equals} is deep). Only valid results are remembered, so an invalid
         * plan is validated, and reports every problem, each time. This assumes, as validation does, that the schema
         * checker answers the same for the same schema and value. Lock-free; two threads validating one new plan at
         * once may both validate and remember it.
         *
         * @param plan the plan
         * @return what {@code validator().validate(plan)} answers
         */
        public ValidationResult validate(Plan plan) {
            for (int i = 0; i < MEMO_SLOTS; i++) {
                Validated v = validated.get(i);
                if (v != null && v.plan == plan) {
                    return v.result;
                }
            }
            ValidationResult r = validator.validate(plan);
            if (r.isValid()) {
                PlanGraph graph = r.graph().orElseThrow();
                validated.set(nextSlot.getAndIncrement() & (MEMO_SLOTS - 1),
                        new Validated(plan, r, new CompiledInputs(graph), walkVersions(graph), bindingsOf(graph)));
            }
            return r;
        }

        /**
         * The compiled inputs of a validated plan's graph: the ones remembered beside its validation, so that every
         * run of a plan instance shares them, or new ones when the plan is no longer (or never was) remembered.
         *
         * @param graph a graph that validated against this catalog
         * @return its compiled inputs
         */
        CompiledInputs inputs(PlanGraph graph) {
            Validated v = remembered(graph);
            return v != null ? v.inputs : new CompiledInputs(graph);
        }

        /**
         * The binding of each task's service, by task index: the array remembered beside the plan's validation, so
         * runs of a plan submitted again share it instead of looking up every task's service again, or a new one.
         * Shared: callers never write to it.
         *
         * @param graph a graph that validated against this catalog
         * @return the bindings by task index
         */
        ServiceBinding[] services(PlanGraph graph) {
            Validated v = remembered(graph);
            return v != null ? v.services : bindingsOf(graph);
        }

        /** A valid plan names only bound services: this catalog's descriptors are those of its bindings. */
        private ServiceBinding[] bindingsOf(PlanGraph graph) {
            int n = graph.size();
            ServiceBinding[] out = new ServiceBinding[n];
            ServiceBinding last = null;
            for (int i = 0; i < n; i++) {
                String service = graph.task(i).service();
                // neighbouring tasks mostly call the same service: skip the look-up then
                out[i] = last != null && last.name().equals(service) ? last : (last = binding(service));
            }
            return out;
        }

        /** @return the remembered validation whose graph is this very instance, or null */
        private Validated remembered(PlanGraph graph) {
            for (int i = 0; i < MEMO_SLOTS; i++) {
                Validated v = validated.get(i);
                if (v != null && v.inputs.graph() == graph) {
                    return v;
                }
            }
            return null;
        }

        /** @return the binding of a service, or null */
        ServiceBinding find(String service) {
            return bindings.get(service);
        }

        ServiceBinding binding(String service) {
            ServiceBinding b = bindings.get(service);
            if (b == null) {
                throw new IllegalStateException("service not registered: " + service);
            }
            return b;
        }

        Collection<ServiceBinding> bindings() {
            return bindings.values();
        }

        /**
         * The catalog versions of the services a validated plan uses: the ones remembered beside its validation (a
         * plan submitted again does not walk its tasks again), or worked out now.
         *
         * @param graph a graph that validated against this catalog
         * @return the versions by service name, sorted by name, unmodifiable
         */
        Map<String, Integer> versionsOf(PlanGraph graph) {
            Validated v = remembered(graph);
            return v != null ? v.versions : walkVersions(graph);
        }

        private Map<String, Integer> walkVersions(PlanGraph graph) {
            Map<String, Integer> out = new TreeMap<>();
            String last = null;
            for (int i = 0; i < graph.size(); i++) {
                String s = graph.task(i).service();
                if (s == last || s == null || out.containsKey(s)) {
                    continue; // plans repeat few services over many tasks
                }
                last = s;
                catalog.version(s).ifPresent(v -> out.put(s, v));
            }
            return java.util.Collections.unmodifiableMap(out);
        }

        /**
         * A plan that validated against this catalog, the result, its graph's compiled inputs, the versions of the
         * services it uses and each task's binding; published whole through the array.
         */
        private record Validated(Plan plan, ValidationResult result, CompiledInputs inputs,
                                 Map<String, Integer> versions, ServiceBinding[] services) {
        }
    }

    private final PlanValidator template;
    private final Consumer<ServiceBinding> init;
    private final List<ServiceBinding> all = new ArrayList<>();
    private volatile Catalog current;

    /**
     * @param initial  the services registered at build time, each at version 1
     * @param template the validator whose settings (schema checker, limits) every catalog's validator copies
     * @param init     prepares a binding (policies, breaker) before it is published
     */
    ServiceRegistry(Map<String, ServiceBinding> initial, PlanValidator template, Consumer<ServiceBinding> init) {
        this.template = template;
        this.init = init;
        List<ServiceDescriptor> ds = new ArrayList<>();
        for (ServiceBinding b : initial.values()) {
            init.accept(b);
            all.add(b);
            ds.add(b.descriptor());
        }
        ServiceCatalog c = ServiceCatalog.of(ds);
        // the build-time validator is used as it is, so its catalog is exactly the one it was given
        this.current = new Catalog(c, template.catalog().filter(c::equals).isPresent() ? template : validatorFor(c),
                java.util.Collections.unmodifiableMap(new LinkedHashMap<>(initial))); // registration order
    }

    private PlanValidator validatorFor(ServiceCatalog c) {
        PlanValidator.Builder b = PlanValidator.builder().catalog(c).limits(template.limits());
        template.schemaChecker().ifPresent(b::schemaChecker);
        return b.build();
    }

    /** @return the registry now */
    Catalog current() {
        return current;
    }

    /**
     * Registers a service, or a new version of one.
     *
     * @param b the binding
     * @return the service's catalog version after the call
     * @throws IllegalArgumentException if the descriptor is identical to the registered one but the handler,
     *                                  transport or options are not
     */
    synchronized int register(ServiceBinding b) {
        Catalog c = current;
        ServiceBinding held = c.find(b.name());
        if (held != null && held.descriptor().equals(b.descriptor())) {
            if (held.handler != b.handler || held.asyncHandler != b.asyncHandler || held.transport != b.transport
                    || !held.options().equals(b.options())) {
                throw new IllegalArgumentException("service '" + b.name() + "' version "
                        + c.catalog.version(b.name()).orElseThrow() + " is registered with the same descriptor but"
                        + " another handler or options; change the descriptor (its version label, say) to register a"
                        + " new version");
            }
            return c.catalog.version(b.name()).orElseThrow();
        }
        init.accept(b);
        ServiceCatalog next = c.catalog.with(b.descriptor());
        Map<String, ServiceBinding> bindings = new LinkedHashMap<>(c.bindings);
        bindings.put(b.name(), b);
        all.add(b);
        current = new Catalog(next, validatorFor(next), java.util.Collections.unmodifiableMap(bindings));
        return next.version(b.name()).orElseThrow();
    }

    /** @return every binding ever registered, every version (for closing transports) */
    synchronized List<ServiceBinding> everyVersion() {
        return List.copyOf(all);
    }

    @Override
    public String toString() {
        return "ServiceRegistry" + Objects.requireNonNull(current).catalog.versions();
    }
}
