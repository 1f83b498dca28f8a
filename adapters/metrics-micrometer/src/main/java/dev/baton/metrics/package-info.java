/**
 * Micrometer metrics for Baton: {@link dev.baton.metrics.BatonMetrics} listens to an orchestrator's run events and
 * circuit breakers and reads its status, and publishes counters, timers and gauges named {@code baton.*} to a
 * {@code MeterRegistry}. Baton's core knows nothing of Micrometer; this module depends on the core's public API only.
 */
package dev.baton.metrics;
