/**
 * The transport SPI: how the engine reaches a service that does not run in-process. An adapter (HTTP, a broker, ...)
 * implements {@link dev.baton.transport.TaskTransport}; in-process handlers are the default and need none.
 */
package dev.baton.transport;
