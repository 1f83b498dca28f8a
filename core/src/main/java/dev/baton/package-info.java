/**
 * Baton's public API: {@link dev.baton.Orchestrator} and the types a caller, a handler and a listener see.
 *
 * <p>Build an orchestrator once, register services, submit plans, await or inspect runs. Everything here is either
 * an immutable value (records, built with builders that check each setting) or a thread-safe service object; the
 * javadoc of each type says which. Implementation lives in {@code dev.baton.internal} and is not API.
 */
package dev.baton;
