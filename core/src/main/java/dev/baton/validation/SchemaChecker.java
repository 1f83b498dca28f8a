package dev.baton.validation;

import java.util.List;
import java.util.Map;

/**
 * Checks plain JSON values against JSON Schemas. The core ships no implementation so that it stays free of
 * third-party dependencies; the JSON adapter provides one. Implementations must be thread-safe.
 */
public interface SchemaChecker {

    /**
     * Checks a value against a schema.
     *
     * @param schema a JSON Schema as plain JSON values
     * @param value  a plain JSON value
     * @return every violation, empty when the value conforms
     */
    List<SchemaViolation> validate(Map<String, Object> schema, Object value);

    /**
     * Checks a schema itself.
     *
     * @param schema a JSON Schema as plain JSON values
     * @return problems with the schema (it cannot be compiled, a keyword has the wrong shape...), empty when usable
     */
    List<String> checkSchema(Map<String, Object> schema);
}
