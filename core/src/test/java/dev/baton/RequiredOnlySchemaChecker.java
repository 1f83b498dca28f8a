package dev.baton;

import dev.baton.validation.SchemaChecker;
import dev.baton.validation.SchemaViolation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A schema checker for tests that checks "required" only (enough to tell schema versions apart) and counts the schema
 * checks plan validation asks it for, one per validation of a plan using one service with an input schema.
 */
final class RequiredOnlySchemaChecker implements SchemaChecker {

    final AtomicInteger schemaChecks = new AtomicInteger();

    @Override
    public List<SchemaViolation> validate(Map<String, Object> schema, Object value) {
        List<SchemaViolation> out = new ArrayList<>();
        if (schema.get("required") instanceof List<?> names) {
            for (Object n : names) {
                if (!(value instanceof Map<?, ?> m) || !m.containsKey(n)) {
                    out.add(new SchemaViolation("/" + n, "required property '" + n + "' is missing"));
                }
            }
        }
        return out;
    }

    @Override
    public List<String> checkSchema(Map<String, Object> schema) {
        schemaChecks.incrementAndGet();
        return List.of();
    }
}
