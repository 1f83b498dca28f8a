/**
 * A durable run store over JDBC: {@link dev.baton.store.jdbc.JdbcRunStore} for PostgreSQL and H2, with group commit,
 * a self-migrating schema, lease fencing in the append transaction and a cache of completed executions.
 */
package dev.baton.store.jdbc;
