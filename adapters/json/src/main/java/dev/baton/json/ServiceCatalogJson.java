package dev.baton.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import dev.baton.planner.ServiceCatalog;
import dev.baton.planner.ServiceDescriptor;
import dev.baton.validation.ValidationCode;
import dev.baton.validation.ValidationError;
import dev.baton.validation.ValidationLimits;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reads service catalogs in Orra's registration shape:
 * {@code {"services": [{"name", "description", "version"?, "schema": {"input": {...}, "output": {...}}?}]}}.
 *
 * <p>A service without a schema accepts anything. Fields the descriptor does not model (such as {@code url}) are kept
 * by {@link #readEntries(String)} for transports. Problems are reported as a {@link PlanParseException} with
 * {@code MALFORMED_JSON}, {@code INVALID_STRUCTURE} (every shape problem at once, duplicate names included) or
 * {@code LIMIT_EXCEEDED} (size, nesting, string length, and keys and numbers as {@link PlanJson} bounds them). Whether the schemas themselves are valid is checked by a
 * {@link dev.baton.validation.SchemaChecker} during plan validation. Immutable and thread-safe.
 */
public final class ServiceCatalogJson {

    /** Schemas nest deeper than plan inputs; this bounds them without recursion risk. */
    private static final int MAX_DEPTH = 256;
    private static final Set<String> KNOWN = Set.of("name", "description", "version", "schema");
    private static final ServiceCatalogJson DEFAULTS = new ServiceCatalogJson(ValidationLimits.defaults());

    private final ValidationLimits limits;
    private final JsonFactory factory;

    private ServiceCatalogJson(ValidationLimits limits) {
        this.limits = limits;
        this.factory = JsonSupport.factory(limits.maxPlanBytes(), MAX_DEPTH, limits.maxStringLength());
    }

    /** @return a reader with the default size limits */
    public static ServiceCatalogJson defaults() {
        return DEFAULTS;
    }

    /**
     * @param limits size and string limits to read with
     * @return a reader enforcing them
     */
    public static ServiceCatalogJson withLimits(ValidationLimits limits) {
        return new ServiceCatalogJson(Objects.requireNonNull(limits, "limits"));
    }

    /**
     * Reads a catalog.
     *
     * @param json the document
     * @return the catalog
     * @throws PlanParseException if the text is not a catalog document
     */
    public ServiceCatalog read(String json) {
        return toCatalog(readEntries(json));
    }

    /**
     * Reads a catalog file.
     *
     * @param file the file
     * @return the catalog
     * @throws PlanParseException   if the file is not a catalog document
     * @throws UncheckedIOException if it cannot be read
     */
    public ServiceCatalog read(Path file) {
        return toCatalog(readEntries(file));
    }

    /**
     * Reads a catalog from a UTF-8 stream, which is not closed.
     *
     * @param in the document
     * @return the catalog
     * @throws PlanParseException if the bytes are not a catalog document
     */
    public ServiceCatalog read(InputStream in) {
        return toCatalog(readEntries(in));
    }

    /**
     * Reads every service with its extra fields.
     *
     * @param json the document
     * @return the entries in document order
     * @throws PlanParseException if the text is not a catalog document
     */
    public List<CatalogEntry> readEntries(String json) {
        Objects.requireNonNull(json, "json");
        try (JsonParser p = factory.createParser(json)) {
            return toEntries(JsonSupport.readTree(p));
        } catch (IOException e) {
            throw JsonSupport.toParseException(e, "the catalog nests deeper than the limit of " + MAX_DEPTH + " levels");
        }
    }

    /**
     * Reads every service of a file with its extra fields.
     *
     * @param file the file
     * @return the entries in document order
     * @throws PlanParseException   if the file is not a catalog document
     * @throws UncheckedIOException if it cannot be read
     */
    public List<CatalogEntry> readEntries(Path file) {
        Objects.requireNonNull(file, "file");
        try {
            JsonSupport.checkFileSize(file, limits.maxPlanBytes());
            try (InputStream in = Files.newInputStream(file)) {
                return readEntries(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads every service from a UTF-8 stream, which is not closed.
     *
     * @param in the document
     * @return the entries in document order
     * @throws PlanParseException if the bytes are not a catalog document
     */
    public List<CatalogEntry> readEntries(InputStream in) {
        Objects.requireNonNull(in, "in");
        try (JsonParser p = factory.createParser(in)) {
            return toEntries(JsonSupport.readTree(p));
        } catch (IOException e) {
            throw JsonSupport.toParseException(e, "the catalog nests deeper than the limit of " + MAX_DEPTH + " levels");
        }
    }

    private static ServiceCatalog toCatalog(List<CatalogEntry> entries) {
        List<ServiceDescriptor> ds = new ArrayList<>(entries.size());
        for (CatalogEntry e : entries) {
            ds.add(e.descriptor());
        }
        return ServiceCatalog.of(ds);
    }

    @SuppressWarnings("unchecked")
    private static List<CatalogEntry> toEntries(Object root) {
        List<ValidationError> errors = new ArrayList<>();
        if (!(root instanceof Map<?, ?> doc) || !(doc.get("services") instanceof List<?> services)) {
            throw new PlanParseException(List.of(new ValidationError(ValidationCode.INVALID_STRUCTURE, null, "/services",
                    "a service catalog is a JSON object with a \"services\" array")));
        }
        List<CatalogEntry> entries = new ArrayList<>(services.size());
        Set<String> names = new HashSet<>();
        for (int k = 0; k < services.size(); k++) {
            String at = "/services/" + k;
            if (!(services.get(k) instanceof Map<?, ?> s)) {
                errors.add(structure(at, "a service is a JSON object, not " + PlanJson.kind(services.get(k))));
                continue;
            }
            int before = errors.size();
            String name = text(s, "name", at, true, errors);
            String description = text(s, "description", at, false, errors);
            String version = text(s, "version", at, false, errors);
            Map<String, Object> input = null;
            Map<String, Object> output = null;
            Object schema = s.get("schema");
            if (schema != null) {
                if (!(schema instanceof Map<?, ?> sm)) {
                    errors.add(structure(at + "/schema", "\"schema\" is an object with \"input\" and \"output\" JSON Schemas"));
                } else {
                    input = schemaPart(sm, "input", at, errors);
                    output = schemaPart(sm, "output", at, errors);
                }
            }
            if (name != null && name.isBlank()) {
                errors.add(structure(at + "/name", "a service name is not blank"));
            } else if (name != null && !names.add(name)) {
                errors.add(structure(at + "/name", "service '" + name + "' is registered twice"));
            }
            if (errors.size() > before) {
                continue;
            }
            Map<String, Object> extra = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : s.entrySet()) {
                if (!KNOWN.contains((String) e.getKey())) {
                    extra.put((String) e.getKey(), e.getValue());
                }
            }
            entries.add(new CatalogEntry(new ServiceDescriptor(name, description, version, input, output), extra));
        }
        if (!errors.isEmpty()) {
            throw new PlanParseException(errors);
        }
        return entries;
    }

    private static String text(Map<?, ?> s, String field, String at, boolean required, List<ValidationError> errors) {
        Object v = s.get(field);
        if (v == null) {
            if (required) {
                errors.add(structure(at + "/" + field, "the service has no \"" + field + "\""));
            }
            return null;
        }
        if (!(v instanceof String str)) {
            errors.add(structure(at + "/" + field, "\"" + field + "\" is a string, not " + PlanJson.kind(v)));
            return null;
        }
        return str;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> schemaPart(Map<?, ?> schema, String part, String at, List<ValidationError> errors) {
        Object v = schema.get(part);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Map)) {
            errors.add(structure(at + "/schema/" + part, "a JSON Schema here is an object, not " + PlanJson.kind(v)));
            return null;
        }
        return (Map<String, Object>) v;
    }

    private static ValidationError structure(String at, String message) {
        return new ValidationError(ValidationCode.INVALID_STRUCTURE, null, at, message);
    }
}
