package dev.baton.planner;

import dev.baton.plan.JsonValues;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the planner and the validator know about a service: its name, a description a planner (or an LLM) can read,
 * a version, and optional JSON Schemas for its input and output (Orra's registration shape).
 *
 * <p>A service without an input schema accepts any object; one without an output schema may return anything.
 * Immutable and thread-safe.
 *
 * @param name         the service name tasks refer to
 * @param description  what the service does, for planners; may be empty
 * @param version      the service's version; may be empty
 * @param inputSchema  JSON Schema (as plain JSON values) for the task input, or {@code null}
 * @param outputSchema JSON Schema for the task output, or {@code null}
 */
public record ServiceDescriptor(String name, String description, String version, Map<String, Object> inputSchema,
                                Map<String, Object> outputSchema) {

    /**
     * Checks and freezes the components.
     *
     * @param name         the service name tasks refer to
     * @param description  what the service does, for planners; may be empty
     * @param version      the service's version; may be empty
     * @param inputSchema  JSON Schema (as plain JSON values) for the task input, or {@code null}
     * @param outputSchema JSON Schema for the task output, or {@code null}
     */
    public ServiceDescriptor {
        Objects.requireNonNull(name, "service name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("service name is blank");
        }
        description = description == null ? "" : description;
        version = version == null ? "" : version;
        inputSchema = inputSchema == null ? null : JsonValues.freezeObject(inputSchema);
        outputSchema = outputSchema == null ? null : JsonValues.freezeObject(outputSchema);
    }

    /**
     * A service with a name only: no description, no schemas.
     *
     * @param name service name
     * @return the descriptor
     */
    public static ServiceDescriptor of(String name) {
        return new ServiceDescriptor(name, "", "", null, null);
    }

    /**
     * A builder for a descriptor with the given name.
     *
     * @param name service name
     * @return a builder
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** @return the input schema, if any */
    public Optional<Map<String, Object>> input() {
        return Optional.ofNullable(inputSchema);
    }

    /** @return the output schema, if any */
    public Optional<Map<String, Object>> output() {
        return Optional.ofNullable(outputSchema);
    }

    /**
     * Builds a {@link ServiceDescriptor}. Not thread-safe.
     */
    public static final class Builder {
        private final String name;
        private String description = "";
        private String version = "";
        private Map<String, Object> input;
        private Map<String, Object> output;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "service name");
        }

        /**
         * @param description what the service does
         * @return this builder
         */
        public Builder description(String description) {
            this.description = Objects.requireNonNull(description, "description");
            return this;
        }

        /**
         * @param version the service version
         * @return this builder
         */
        public Builder version(String version) {
            this.version = Objects.requireNonNull(version, "version");
            return this;
        }

        /**
         * @param schema JSON Schema of the input
         * @return this builder
         */
        public Builder inputSchema(Map<String, ?> schema) {
            this.input = JsonValues.freezeObject(Objects.requireNonNull(schema, "input schema"));
            return this;
        }

        /**
         * @param schema JSON Schema of the output
         * @return this builder
         */
        public Builder outputSchema(Map<String, ?> schema) {
            this.output = JsonValues.freezeObject(Objects.requireNonNull(schema, "output schema"));
            return this;
        }

        /** @return the descriptor */
        public ServiceDescriptor build() {
            return new ServiceDescriptor(name, description, version, input, output);
        }
    }
}
