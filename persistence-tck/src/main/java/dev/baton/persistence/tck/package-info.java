/**
 * The persistence contract test kit: {@link dev.baton.persistence.tck.RunStoreContractTest}, abstract JUnit 5 tests
 * that every {@link dev.baton.persistence.RunStore} runs by extending it once. Depends on the SPI only, so the core's
 * own store can run it too. {@link dev.baton.persistence.tck.ForwardingRunStore} is for tests that need a store whose
 * calls they can make fail or wait.
 */
package dev.baton.persistence.tck;
