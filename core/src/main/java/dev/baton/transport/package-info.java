/**
 * The transport SPI: how the engine reaches a service that does not run in-process. An adapter (HTTP, a broker, ...)
 * implements {@link dev.baton.transport.TaskTransport}; in-process handlers are the default and need none. A
 * {@link dev.baton.transport.HealthSource} tells the engine which remote services are unhealthy (their tasks wait,
 * bounded, instead of burning attempts), and a {@link dev.baton.transport.WebhookTransport} delivers ended runs'
 * results to their webhooks.
 */
package dev.baton.transport;
