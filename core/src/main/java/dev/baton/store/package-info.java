/**
 * Run stores that ship with the core: {@link dev.baton.store.InMemoryRunStore}, the engine's default, with the same
 * semantics as the durable stores (it runs the same contract test kit).
 */
package dev.baton.store;
