package dev.baton.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;
import dev.baton.validation.SchemaChecker;
import dev.baton.validation.SchemaViolation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A {@link SchemaChecker} backed by the networknt JSON Schema validator (draft 2020-12 unless a schema names its
 * own {@code $schema}). Schemas are first checked against their meta-schema, so an invalid schema is reported as
 * such instead of silently accepting everything. Remote {@code $ref}s are never fetched: a plan's catalog does not
 * get to make the validator open network connections.
 *
 * A schema that refers to itself without descending into the value ({@code {"$ref": "#"}}) is one violation at
 * {@code ""}, never a {@link StackOverflowError} to the caller. Against a schema with {@code multipleOf}, a decimal
 * of more than 1,000 digits or whose digits sit more than 1,000 places from its decimal point (the bounds
 * {@link PlanJson} reads numbers within; a value built in Java may go past them), whose division would take time and
 * memory that grow with its exponent, and an integer beyond the range of a double, which the validator divides as a
 * double, are each one violation at their pointer; the rest of the value is checked as usual.
 *
 * <p>Compiled schemas are kept in a bounded least-recently-used cache. Thread-safe.
 */
public final class NetworkntSchemaChecker implements SchemaChecker {

    /** Default number of compiled schemas kept. */
    public static final int DEFAULT_CACHE_SIZE = 256;

    private final SchemaRegistry registry;
    private final Schema metaSchema;
    private final ObjectMapper mapper;
    private final Map<Map<String, Object>, Compiled> cache;

    /** @param divides whether the schema uses the {@code multipleOf} keyword, so the value's numbers must be bounded */
    private record Compiled(Schema schema, List<String> problems, boolean divides) {
    }

    /** A checker with the default cache size. */
    public NetworkntSchemaChecker() {
        this(DEFAULT_CACHE_SIZE);
    }

    /**
     * @param cacheSize how many compiled schemas to keep, positive
     */
    public NetworkntSchemaChecker(int cacheSize) {
        if (cacheSize <= 0) {
            throw new IllegalArgumentException("cacheSize must be positive, got " + cacheSize);
        }
        SchemaRegistryConfig config = SchemaRegistryConfig.builder().pathType(PathType.JSON_POINTER).build();
        this.registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
                b -> b.schemaRegistryConfig(config).schemaLoader(l -> l.fetchRemoteResources(false)));
        this.metaSchema = registry.getSchema(SchemaLocation.of(SpecificationVersion.DRAFT_2020_12.getDialectId()));
        this.mapper = JsonSupport.mapper(JsonSupport.factory(Long.MAX_VALUE, 1_000, Integer.MAX_VALUE));
        this.cache = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Map<String, Object>, Compiled> eldest) {
                return size() > cacheSize;
            }
        });
    }

    @Override
    public List<SchemaViolation> validate(Map<String, Object> schema, Object value) {
        Objects.requireNonNull(schema, "schema");
        Compiled c = compile(schema);
        if (!c.problems().isEmpty()) {
            return List.of(new SchemaViolation("", "the schema is invalid: " + String.join("; ", c.problems())));
        }
        List<Error> errors;
        try {
            JsonNode node = mapper.valueToTree(value);
            List<SchemaViolation> tooLarge = c.divides() ? replaceNumbersTooLargeToDivide(node) : List.of();
            if (tooLarge.size() == 1 && tooLarge.get(0).pointer().isEmpty()) {
                return tooLarge; // the value is such a number itself
            }
            errors = c.schema().validate(node);
            if (!tooLarge.isEmpty()) {
                // what the validator said of a stand-in is not about the value: each such number is its own violation
                java.util.Set<String> at = new java.util.HashSet<>();
                tooLarge.forEach(v -> at.add(v.pointer()));
                List<SchemaViolation> out = new ArrayList<>(tooLarge);
                for (Error e : errors) {
                    if (!at.contains(pointer(e))) {
                        out.add(new SchemaViolation(pointer(e), e.getMessage()));
                    }
                }
                return out;
            }
        } catch (StackOverflowError e) {
            // a $ref cycle that never descends into the value ({"$ref": "#"}) compiles, but the validator follows it
            // without end; the stack it used is unwound here, so this is one violation, not a crash of the caller
            return List.of(new SchemaViolation("", "the value could not be checked: checking recursed without end"
                    + " (the schema refers to itself without descending into the value, or the value nests too deep)"));
        }
        List<SchemaViolation> out = new ArrayList<>(errors.size());
        for (Error e : errors) {
            out.add(new SchemaViolation(pointer(e), e.getMessage()));
        }
        return out;
    }

    @Override
    public List<String> checkSchema(Map<String, Object> schema) {
        return compile(Objects.requireNonNull(schema, "schema")).problems();
    }

    private Compiled compile(Map<String, Object> schema) {
        Compiled c = cache.get(schema);
        if (c == null) {
            c = doCompile(schema);
            cache.put(schema, c);
        }
        return c;
    }

    private Compiled doCompile(Map<String, Object> schema) {
        JsonNode node = mapper.valueToTree(schema);
        List<String> problems = new ArrayList<>();
        try {
            for (Error e : metaSchema.validate(node)) {
                String at = pointer(e);
                problems.add(at.isEmpty() ? e.getMessage() : at + ": " + e.getMessage());
            }
            if (!problems.isEmpty()) {
                return new Compiled(null, List.copyOf(problems), false);
            }
            Schema compiled = registry.getSchema(node);
            compiled.initializeValidators(); // surface bad keywords and unresolvable $refs now, not on first use
            return new Compiled(compiled, List.of(), usesMultipleOf(node));
        } catch (RuntimeException e) {
            // the validator reports some schema problems only by throwing; they are still schema problems
            return new Compiled(null, List.of(String.valueOf(e.getMessage())), false);
        }
    }

    /**
     * Whether the schema uses {@code multipleOf}: an object anywhere in it whose {@code multipleOf} member is a number
     * (a property of that name maps to a schema, not a number). Iterative, as a schema may nest deep.
     */
    private static boolean usesMultipleOf(JsonNode root) {
        java.util.ArrayDeque<JsonNode> todo = new java.util.ArrayDeque<>();
        todo.push(root);
        while (!todo.isEmpty()) {
            JsonNode n = todo.pop();
            if (n.isObject() && n.path("multipleOf").isNumber()) {
                return true;
            }
            if (n.isContainerNode()) {
                n.elements().forEachRemaining(todo::push);
            }
        }
        return false;
    }

    /**
     * Finds the numbers of the value that {@code multipleOf} cannot be checked on, and puts a stand-in of the same
     * sign and about the same size in each one's place, so that the rest of the value is checked as usual: a decimal
     * past the bounds the JSON readers keep to (its digits or its scale; dividing it would take time and memory that
     * grow with its exponent), or an integer beyond the range of a double (the validator divides integers as
     * doubles, and this one is infinite as a double). Iterative, as a value may nest deep.
     *
     * @return a violation for each, in the order of the value
     */
    private static List<SchemaViolation> replaceNumbersTooLargeToDivide(JsonNode root) {
        List<SchemaViolation> out = new ArrayList<>();
        java.util.ArrayDeque<Object[]> todo = new java.util.ArrayDeque<>(); // node, pointer, parent, key or index
        todo.push(new Object[] {root, "", null, null});
        while (!todo.isEmpty()) {
            Object[] top = todo.pop();
            JsonNode n = (JsonNode) top[0];
            String at = (String) top[1];
            String problem = null;
            java.math.BigDecimal d = null;
            if (n.isBigDecimal()) {
                d = n.decimalValue();
                if (d.precision() > JsonSupport.MAX_NUMBER_LENGTH || Math.abs((long) d.scale()) > JsonSupport.MAX_SCALE) {
                    problem = "the number has more than " + JsonSupport.MAX_NUMBER_LENGTH + " digits, or its digits"
                            + " sit more than " + JsonSupport.MAX_SCALE + " places from its decimal point";
                }
            } else if (n.isBigInteger() && Double.isInfinite(n.doubleValue())) {
                d = new java.math.BigDecimal(n.bigIntegerValue().signum());
                problem = "the integer is beyond the range of a double (" + n.bigIntegerValue().bitLength() + " bits)";
            } else if (n.isObject()) {
                // reversed onto the stack, so members come off it in their order
                List<java.util.Map.Entry<String, JsonNode>> members = new ArrayList<>();
                n.fields().forEachRemaining(members::add);
                for (int i = members.size() - 1; i >= 0; i--) {
                    String key = members.get(i).getKey();
                    todo.push(new Object[] {members.get(i).getValue(),
                            at + "/" + key.replace("~", "~0").replace("/", "~1"), n, key});
                }
            } else if (n.isArray()) {
                for (int i = n.size() - 1; i >= 0; i--) {
                    todo.push(new Object[] {n.get(i), at + "/" + i, n, i});
                }
            }
            if (problem == null) {
                continue;
            }
            out.add(new SchemaViolation(at, problem + ": too large to check against multipleOf"));
            JsonNode standIn = com.fasterxml.jackson.databind.node.DecimalNode.valueOf(standIn(d, n.isBigInteger()));
            if (top[2] instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
                o.set((String) top[3], standIn);
            } else if (top[2] instanceof com.fasterxml.jackson.databind.node.ArrayNode a) {
                a.set((Integer) top[3], standIn);
            } else {
                return out; // the value is the number itself: nothing else to check
            }
        }
        return out;
    }

    /** A number of the same sign and about the same size that divides quickly: within a double's range and digits. */
    private static java.math.BigDecimal standIn(java.math.BigDecimal d, boolean beyondDouble) {
        double x = beyondDouble ? d.signum() * Double.MAX_VALUE : d.doubleValue();
        if (Double.isInfinite(x)) {
            x = Math.copySign(Double.MAX_VALUE, x);
        } else if (x == 0 && d.signum() != 0) {
            x = d.signum() * Double.MIN_VALUE;
        }
        return java.math.BigDecimal.valueOf(x);
    }

    private static String pointer(Error e) {
        String at = e.getInstanceLocation() == null ? "" : e.getInstanceLocation().toString();
        return at.equals("/") ? "" : at;
    }
}
