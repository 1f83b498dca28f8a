/**
 * The run log's events: a sealed family of immutable records, one per state change of a run or a task.
 *
 * <p>Each event carries its run id, its position in that run's log ({@code seq}, starting at 1 with no gap) and the
 * time it happened. A run's state is a fold over its events; the engine, recovery, inspection and listeners all read
 * the same records.
 */
package dev.baton.event;
