/**
 * The HTTP transport for remote services: {@link dev.baton.transport.http.HttpTransport} (JSON over the JDK HTTP
 * client, retry classification, size limits, bearer credentials read from the environment at call time), health
 * monitoring ({@link dev.baton.transport.http.HealthMonitor}, {@link dev.baton.transport.HealthSource}) and
 * signed result webhooks ({@link dev.baton.transport.http.WebhookSender},
 * {@link dev.baton.transport.http.WebhookSignature}).
 */
package dev.baton.transport.http;
