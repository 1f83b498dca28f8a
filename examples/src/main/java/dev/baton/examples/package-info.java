/**
 * Runnable scenarios from the seeds, each a {@code main} method that prints what it does.
 */
package dev.baton.examples;
