/**
 * The transport contract test kits: abstract JUnit 5 tests that an implementation runs by extending them once, with
 * a fixture that stands up the far side (a service, a health endpoint, a webhook receiver) whose behaviour each test
 * scripts. {@link dev.baton.transport.tck.TaskTransportContractTest} is for every
 * {@link dev.baton.transport.TaskTransport}, {@link dev.baton.transport.tck.HealthSourceContractTest} for every
 * {@link dev.baton.transport.HealthSource}, and the webhook kit for every {@link dev.baton.transport.WebhookTransport}.
 */
package dev.baton.transport.tck;
