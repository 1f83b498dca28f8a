/**
 * Time for the orchestrator: a {@link dev.baton.time.Scheduler} for delayed actions (retries, timeouts, breaker
 * waits, retention) and {@link dev.baton.time.ManualTime}, a clock and scheduler that tests advance by hand instead
 * of sleeping.
 */
package dev.baton.time;
