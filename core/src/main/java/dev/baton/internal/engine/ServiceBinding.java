package dev.baton.internal.engine;

import dev.baton.AsyncTaskHandler;
import dev.baton.ServiceOptions;
import dev.baton.TaskHandler;
import dev.baton.planner.ServiceDescriptor;

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
    final ServiceOptions options;
    final Admission.ServiceGate gate;

    /**
     * @param descriptor   the service's descriptor
     * @param handler      a blocking handler, or {@code null}
     * @param asyncHandler an asynchronous handler, or {@code null}
     * @param options      its options
     */
    public ServiceBinding(ServiceDescriptor descriptor, TaskHandler handler, AsyncTaskHandler asyncHandler,
                          ServiceOptions options) {
        this.descriptor = Objects.requireNonNull(descriptor, "descriptor");
        if ((handler == null) == (asyncHandler == null)) {
            throw new IllegalArgumentException("a service has exactly one handler");
        }
        this.handler = handler;
        this.asyncHandler = asyncHandler;
        this.options = Objects.requireNonNull(options, "options");
        this.gate = new Admission.ServiceGate(descriptor.name(), options.capacity());
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

    Duration timeout() {
        return options.timeout().orElse(null);
    }
}
