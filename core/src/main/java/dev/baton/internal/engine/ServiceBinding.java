package dev.baton.internal.engine;

import dev.baton.AsyncTaskHandler;
import dev.baton.CircuitBreaker;
import dev.baton.CircuitBreakerConfig;
import dev.baton.RetryPolicy;
import dev.baton.ServiceOptions;
import dev.baton.TaskHandler;
import dev.baton.planner.ServiceDescriptor;
import dev.baton.transport.TaskTransport;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * A registered service: its descriptor, how to call it, and its options. Immutable except for its admission gate,
 * which the admission lock guards.
 */
public final class ServiceBinding {

    final ServiceDescriptor descriptor;
    final TaskHandler handler;
    final AsyncTaskHandler asyncHandler;
    final TaskTransport transport;
    final ServiceOptions options;
    final Admission.ServiceGate gate;
    /** The attempt timeout, or null: read on every dispatch, so unwrapped once. */
    private final Duration timeout;
    // set once by the engine before it is published
    RetryPolicy retry;
    CircuitBreaker breaker;
    /** Whether the breaker compares call durations (a slow-call threshold): else an outcome needs no clock read. */
    boolean breakerTimesCalls;
    HealthGate.Waiting health; // null without health sources

    /**
     * @param descriptor   the service's descriptor
     * @param handler      a blocking handler, or {@code null}
     * @param asyncHandler an asynchronous handler, or {@code null}
     * @param options      its options
     */
    public ServiceBinding(ServiceDescriptor descriptor, TaskHandler handler, AsyncTaskHandler asyncHandler,
                          ServiceOptions options) {
        this(descriptor, handler, asyncHandler, null, options);
    }

    /**
     * @param descriptor   the service's descriptor
     * @param handler      a blocking handler, or {@code null}
     * @param asyncHandler an asynchronous handler, or {@code null}
     * @param transport    a transport to a remote service, or {@code null}
     * @param options      its options
     */
    public ServiceBinding(ServiceDescriptor descriptor, TaskHandler handler, AsyncTaskHandler asyncHandler,
                          TaskTransport transport, ServiceOptions options) {
        this.descriptor = Objects.requireNonNull(descriptor, "descriptor");
        int kinds = (handler == null ? 0 : 1) + (asyncHandler == null ? 0 : 1) + (transport == null ? 0 : 1);
        if (kinds != 1) {
            throw new IllegalArgumentException("a service has exactly one handler or transport");
        }
        this.handler = handler;
        this.asyncHandler = asyncHandler;
        this.transport = transport;
        this.options = Objects.requireNonNull(options, "options");
        this.gate = new Admission.ServiceGate(descriptor.name(), options.capacity());
        this.timeout = options.timeout().orElse(null);
    }

    /** @return the service name */
    public String name() {
        return descriptor.name();
    }

    /** @return the descriptor */
    public ServiceDescriptor descriptor() {
        return descriptor;
    }

    /** @return the options */
    public ServiceOptions options() {
        return options;
    }

    /**
     * Resolves the service's policies against the orchestrator's defaults and creates its breaker.
     *
     * @param defaultRetry   the orchestrator's retry policy
     * @param defaultBreaker the orchestrator's breaker settings
     * @param clock          the orchestrator's clock
     */
    void init(RetryPolicy defaultRetry, CircuitBreakerConfig defaultBreaker, Clock clock) {
        retry = options.retryPolicy().orElse(defaultRetry);
        breaker = CircuitBreaker.of(descriptor.name(), options.circuitBreaker().orElse(defaultBreaker), clock);
        breakerTimesCalls = breaker.config().slowCallThreshold().isPresent();
    }


    Duration timeout() {
        return timeout;
    }
}
