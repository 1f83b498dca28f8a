/**
 * The planner SPI: what a planner knows about the services it may use ({@link dev.baton.planner.ServiceDescriptor},
 * {@link dev.baton.planner.ServiceCatalog}) and, for planners, the contract that turns an action into a plan.
 */
package dev.baton.planner;
