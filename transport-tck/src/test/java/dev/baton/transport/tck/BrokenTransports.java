package dev.baton.transport.tck;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/**
 * The kit run on a transport with one flaw, for {@link TaskTransportKitTest}, which sets {@link #flaw} before it runs
 * {@link Broken}. Nested, so the build's test scan does not run it on its own.
 */
final class BrokenTransports {

    /** The flaw of the next run of {@link Broken}; the engine test kit runs it on the setting thread. */
    static volatile InProcessTransport.Flaw flaw;

    private BrokenTransports() {
    }

    /** The kit on a transport with {@link #flaw}; short patience, since some flaws make a test wait it out. */
    static final class Broken extends InProcessTransportContractTest {
        @Override
        Set<InProcessTransport.Flaw> flaws() {
            return EnumSet.of(flaw);
        }

        @Override
        protected Duration patience() {
            return Duration.ofSeconds(2);
        }
    }
}
