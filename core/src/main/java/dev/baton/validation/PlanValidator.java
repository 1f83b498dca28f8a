package dev.baton.validation;

import dev.baton.plan.Plan;
import dev.baton.planner.ServiceCatalog;

import java.util.Objects;
import java.util.Optional;

/**
 * Checks a {@link Plan} and reports every problem at once, each with a stable {@link ValidationCode}: task ids,
 * services (against an optional {@link ServiceCatalog}), references, cycles, parallel groups, input schemas (with an
 * optional {@link SchemaChecker}) and {@link ValidationLimits limits}.
 *
 * <pre>{@code
 * PlanValidator validator = PlanValidator.builder().catalog(catalog).schemaChecker(checker).build();
 * ValidationResult result = validator.validate(plan);
 * result.graph().ifPresent(engine::schedule);
 * }</pre>
 *
 * <p>Cost is linear in tasks plus references; nothing recurses on the number of tasks. Immutable and thread-safe:
 * one validator may serve any number of threads.
 */
public final class PlanValidator {

    private static final PlanValidator DEFAULTS = new PlanValidator(null, null, ValidationLimits.defaults());

    private final ServiceCatalog catalog;
    private final SchemaChecker schemaChecker;
    private final ValidationLimits limits;

    private PlanValidator(ServiceCatalog catalog, SchemaChecker schemaChecker, ValidationLimits limits) {
        this.catalog = catalog;
        this.schemaChecker = schemaChecker;
        this.limits = limits;
    }

    /** @return a validator without catalog or schema checks, with the default limits */
    public static PlanValidator defaults() {
        return DEFAULTS;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Validates a plan.
     *
     * @param plan the plan
     * @return every problem found, the effective schedule, and the graph when the plan is valid
     */
    public ValidationResult validate(Plan plan) {
        Objects.requireNonNull(plan, "plan");
        return new ValidationRun(plan, catalog, schemaChecker, limits).run();
    }

    /** @return the catalog services are checked against, if any */
    public Optional<ServiceCatalog> catalog() {
        return Optional.ofNullable(catalog);
    }

    /** @return the schema checker, if any */
    public Optional<SchemaChecker> schemaChecker() {
        return Optional.ofNullable(schemaChecker);
    }

    /** @return the limits */
    public ValidationLimits limits() {
        return limits;
    }

    /** Builds a {@link PlanValidator}. Not thread-safe. */
    public static final class Builder {
        private ServiceCatalog catalog;
        private SchemaChecker schemaChecker;
        private ValidationLimits limits = ValidationLimits.defaults();

        private Builder() {
        }

        /**
         * Checks services against a catalog: {@link ValidationCode#UNKNOWN_SERVICE}, input schemas and output
         * fields. Without one, any service name is accepted.
         *
         * @param catalog the catalog
         * @return this builder
         */
        public Builder catalog(ServiceCatalog catalog) {
            this.catalog = Objects.requireNonNull(catalog, "catalog");
            return this;
        }

        /**
         * Checks literal inputs against the services' input schemas. Needs a catalog to have any effect.
         *
         * @param schemaChecker the checker
         * @return this builder
         */
        public Builder schemaChecker(SchemaChecker schemaChecker) {
            this.schemaChecker = Objects.requireNonNull(schemaChecker, "schemaChecker");
            return this;
        }

        /**
         * @param limits the limits (default {@link ValidationLimits#defaults()})
         * @return this builder
         */
        public Builder limits(ValidationLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /** @return the validator */
        public PlanValidator build() {
            return new PlanValidator(catalog, schemaChecker, limits);
        }
    }
}
