package dev.baton.transport.tck;

import dev.baton.transport.TaskTransport;

import java.util.EnumSet;
import java.util.Set;

/** The kit run on the smallest correct transport: one that calls its service's script in-process. */
class InProcessTransportContractTest extends TaskTransportContractTest {

    @Override
    protected TaskTransport transportTo(String service, ServiceScript script) {
        return new InProcessTransport(script, true, flaws());
    }

    @Override
    protected TaskTransport transportToUnreachable(String service) {
        return new InProcessTransport(call -> {
            throw new AssertionError("an unreachable service was called");
        }, false, flaws());
    }

    @Override
    protected void releaseServices() {
        // the transports own their pools; closing them released everything
    }

    /** @return the flaws of the transport under test: none here */
    Set<InProcessTransport.Flaw> flaws() {
        return EnumSet.noneOf(InProcessTransport.Flaw.class);
    }
}
