/**
 * The planner contract test kit: abstract JUnit 5 tests that every {@link dev.baton.planner.Planner} runs by
 * extending them once.
 */
package dev.baton.planner.tck;
