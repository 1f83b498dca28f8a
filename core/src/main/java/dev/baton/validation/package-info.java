/**
 * Plan validation: {@link dev.baton.validation.PlanValidator} checks a plan against an optional service catalog and
 * JSON Schema checker and reports every problem with a stable {@link dev.baton.validation.ValidationCode}; for a
 * valid plan it hands the engine a compact {@link dev.baton.validation.PlanGraph} (int-array adjacency, parallel
 * groups, parsed references). {@link dev.baton.validation.SchemaChecker} keeps JSON Schema libraries out of the core.
 */
package dev.baton.validation;
