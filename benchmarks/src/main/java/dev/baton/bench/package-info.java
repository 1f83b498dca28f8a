/**
 * JMH benchmarks. Each benchmark class measures Baton beside a baseline in the same run; results and the command
 * that reproduces them are in the module's README.
 */
package dev.baton.bench;
