package dev.baton;

/**
 * How a run orders its tasks.
 */
public enum SchedulingMode {
    /**
     * Honour the plan's parallel groups: group k+1 starts when group k has finished. Without groups in the plan this
     * is the same as {@link #EAGER}. The default.
     */
    GROUPS,
    /** Start each task the moment its own dependencies are done, ignoring parallel groups. */
    EAGER
}
