/**
 * Internal: the planning loop behind {@code Orchestrator.submit(Action)} and {@code ActionPlanning}. Not an API.
 */
package dev.baton.internal.planning;
