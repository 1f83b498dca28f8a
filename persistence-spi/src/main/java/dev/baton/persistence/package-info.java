/**
 * The persistence SPI: {@link dev.baton.persistence.RunStore}, the append-only run log with its queries, leases,
 * the idempotency index of completed executions and the dead-letter list.
 *
 * <p>A store keeps events and answers queries; all engine logic stays in the core. Every implementation runs the
 * same contract test kit.
 */
package dev.baton.persistence;
