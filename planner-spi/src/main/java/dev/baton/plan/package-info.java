/**
 * The execution-plan model: {@link dev.baton.plan.Plan}, {@link dev.baton.plan.Task}, {@code $taskId.path}
 * {@link dev.baton.plan.Reference references} and parallel groups.
 *
 * <p>Every type here is an immutable value built from plain Java JSON values ({@code Map}, {@code List},
 * {@code String}, {@code Number}, {@code Boolean}, {@code null}); nothing in a plan is ever evaluated, a reference is
 * only a path look-up. Checking a plan (cycles, dangling references, schemas) is the job of the core's validator: the
 * model accepts any well-typed plan so that the validator can report every problem at once.
 */
package dev.baton.plan;
