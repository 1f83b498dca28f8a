/**
 * An LLM planner: {@link dev.baton.planner.llm.LlmPlanner} asks any OpenAI-compatible chat-completions endpoint for a
 * plan in Baton's JSON format, built from the service catalog, the action and the previous attempt's errors, and reads
 * the plan out of the reply. Nothing in a reply is ever executed; the orchestrator validates every plan.
 */
package dev.baton.planner.llm;
