/**
 * The transport contract test kit: abstract JUnit 5 tests that every {@link dev.baton.transport.TaskTransport} and
 * {@link dev.baton.transport.WebhookTransport} runs (and every {@link dev.baton.transport.HealthSource},
 * {@link dev.baton.transport.tck.HealthSourceContractTest}) by extending them once, with a fixture that stands up the other
 * end (a service, a webhook receiver) whose behaviour each test scripts.
 */
package dev.baton.transport.tck;
