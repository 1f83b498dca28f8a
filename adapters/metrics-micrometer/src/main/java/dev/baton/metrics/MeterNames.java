package dev.baton.metrics;

/** The names of the meters and tags, as documented in the README's table. */
final class MeterNames {

    private MeterNames() {
    }

    static final String RUNS_STARTED = "baton.runs.started";
    static final String RUNS_ENDED = "baton.runs.ended";
    static final String RUNS_DURATION = "baton.runs.duration";
    static final String RUNS_ACTIVE = "baton.runs.active";

    static final String TASKS_RUNNING = "baton.tasks.running";
    static final String ATTEMPTS_STARTED = "baton.tasks.attempts.started";
    static final String ATTEMPTS_ENDED = "baton.tasks.attempts.ended";
    static final String ATTEMPTS_DURATION = "baton.tasks.attempts.duration";
    static final String RETRIES = "baton.tasks.retries";
    static final String DEAD_LETTERS = "baton.tasks.dead.letters";
    static final String SKIPPED = "baton.tasks.skipped";

    static final String WEBHOOK_ATTEMPTS = "baton.webhooks.attempts";

    static final String BREAKER_TRANSITIONS = "baton.breaker.transitions";
    static final String BREAKER_STATE = "baton.breaker.state";

    static final String SERVICE_IN_FLIGHT = "baton.service.in.flight";
    static final String SERVICE_QUEUED = "baton.service.queued";
    static final String SERVICE_WAITING_HEALTH = "baton.service.waiting.health";
    static final String SERVICE_CAPACITY = "baton.service.capacity";

    static final String SERVICE = "service";
    static final String STATUS = "status";
    static final String OUTCOME = "outcome";
    static final String FROM = "from";
    static final String TO = "to";
}
