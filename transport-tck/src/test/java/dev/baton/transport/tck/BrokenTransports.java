package dev.baton.transport.tck;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/**
 * The kit run on transports with one flaw each, for {@link TaskTransportKitTest}. Nested, so the build's test scan
 * does not run them on their own.
 */
final class BrokenTransports {

    private BrokenTransports() {
    }

    /** The kit on a transport with one flaw; short patience, since some flaws make a test wait it out. */
    abstract static class Broken extends InProcessTransportContractTest {
        private final InProcessTransport.Flaw flaw;

        Broken(InProcessTransport.Flaw flaw) {
            this.flaw = flaw;
        }

        @Override
        Set<InProcessTransport.Flaw> flaws() {
            return EnumSet.of(flaw);
        }

        @Override
        protected Duration patience() {
            return Duration.ofSeconds(2);
        }
    }

    static final class WrongIdempotencyKey extends Broken {
        WrongIdempotencyKey() {
            super(InProcessTransport.Flaw.WRONG_IDEMPOTENCY_KEY);
        }
    }

    static final class DropsCorrelationId extends Broken {
        DropsCorrelationId() {
            super(InProcessTransport.Flaw.DROPS_CORRELATION_ID);
        }
    }

    static final class BlocksInDispatch extends Broken {
        BlocksInDispatch() {
            super(InProcessTransport.Flaw.BLOCKS_IN_DISPATCH);
        }
    }

    static final class RetriesRejections extends Broken {
        RetriesRejections() {
            super(InProcessTransport.Flaw.RETRIES_REJECTIONS);
        }
    }

    static final class DropsRetryAfter extends Broken {
        DropsRetryAfter() {
            super(InProcessTransport.Flaw.DROPS_RETRY_AFTER);
        }
    }

    static final class UnboundedMessages extends Broken {
        UnboundedMessages() {
            super(InProcessTransport.Flaw.UNBOUNDED_MESSAGES);
        }
    }

    static final class IgnoresDeadline extends Broken {
        IgnoresDeadline() {
            super(InProcessTransport.Flaw.IGNORES_DEADLINE);
        }
    }

    static final class ForeignOutput extends Broken {
        ForeignOutput() {
            super(InProcessTransport.Flaw.FOREIGN_OUTPUT);
        }
    }

    static final class HangsAfterClose extends Broken {
        HangsAfterClose() {
            super(InProcessTransport.Flaw.HANGS_AFTER_CLOSE);
        }
    }

    static final class BreaksAfterCancel extends Broken {
        BreaksAfterCancel() {
            super(InProcessTransport.Flaw.BREAKS_AFTER_CANCEL);
        }
    }
}
