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
 * {@code ""}, never a {@link StackOverflowError} to the caller.
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

    private record Compiled(Schema schema, List<String> problems) {
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
            errors = c.schema().validate(mapper.valueToTree(value));
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
                return new Compiled(null, List.copyOf(problems));
            }
            Schema compiled = registry.getSchema(node);
            compiled.initializeValidators(); // surface bad keywords and unresolvable $refs now, not on first use
            return new Compiled(compiled, List.of());
        } catch (RuntimeException e) {
            // the validator reports some schema problems only by throwing; they are still schema problems
            return new Compiled(null, List.of(String.valueOf(e.getMessage())));
        }
    }

    private static String pointer(Error e) {
        String at = e.getInstanceLocation() == null ? "" : e.getInstanceLocation().toString();
        return at.equals("/") ? "" : at;
    }
}
