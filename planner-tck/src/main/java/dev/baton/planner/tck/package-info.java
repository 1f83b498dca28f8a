/**
 * The planner contract test kits: abstract JUnit 5 tests that every {@link dev.baton.planner.Planner}
 * ({@link dev.baton.planner.tck.PlannerContractTest}) and every {@link dev.baton.planner.DefinitionRepository}
 * ({@link dev.baton.planner.tck.DefinitionRepositoryContractTest}) runs by extending them once.
 */
package dev.baton.planner.tck;
