/**
 * The engine behind {@link dev.baton.Orchestrator}: runs ({@code RunExecution}), admission control (global,
 * per-run and per-service limits with FIFO queues), attempts, input resolution, and the fold of a run's log into
 * its state. Not API.
 */
package dev.baton.internal.engine;
