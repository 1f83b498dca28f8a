/**
 * Internals of the resilience building blocks (the circuit breaker's lock-free outcome counts). Not API: nothing
 * outside {@code baton-core} may use these types, and they may change in any release.
 */
package dev.baton.internal.resilience;
