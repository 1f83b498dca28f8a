/**
 * The planner SPI: what a planner knows about the services it may use ({@link dev.baton.planner.ServiceDescriptor},
 * {@link dev.baton.planner.ServiceCatalog}) and the contract that turns an {@link dev.baton.planner.Action} into a
 * plan ({@link dev.baton.planner.Planner}, {@link dev.baton.planner.PlanningRequest}), with two built-in planners:
 * {@link dev.baton.planner.FixedPlanner} and {@link dev.baton.planner.DefinitionPlanner} over saved
 * {@link dev.baton.planner.PlanDefinition plan definitions}. {@link dev.baton.planner.NotActionable} is the
 * convention for "this cannot be done with these services".
 */
package dev.baton.planner;
