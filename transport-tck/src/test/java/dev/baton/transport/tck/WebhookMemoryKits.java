package dev.baton.transport.tck;

import dev.baton.time.ManualTime;
import dev.baton.transport.WebhookTransport;
import dev.baton.transport.tck.WebhookMemoryTransport.Fault;

import java.net.URI;
import java.time.Duration;

/**
 * The webhook kits run on the memory transport, right and with each {@link Fault}: the classes
 * {@link WebhookTransportContractKitTest} runs through the test kit engine. Not tests themselves (the build does not
 * pick up this class's nested classes), since the broken ones fail by design.
 */
final class WebhookMemoryKits {

    static final String SECRET = "whsec-kit-7c41e09b2d5f";

    private WebhookMemoryKits() {
    }

    /** The memory transport's fixture, with the fault each subclass names. */
    abstract static class MemoryKit extends WebhookTransportCancellationContractTest {
        private final WebhookMemoryNetwork network = new WebhookMemoryNetwork(SECRET);

        abstract Fault fault();

        @Override
        protected WebhookTransport createTransport(ManualTime time, int maxAttempts) {
            return new WebhookMemoryTransport(network, time, maxAttempts, SECRET, fault());
        }

        @Override
        protected WebhookReceiver createReceiver(WebhookReceiver.Script script) {
            return network.stand(script);
        }

        @Override
        protected URI refusedDestination(WebhookReceiver receiver) {
            return WebhookMemoryNetwork.refused(receiver);
        }

        @Override
        protected String secret() {
            return SECRET;
        }

        @Override
        protected Duration patience() {
            return Duration.ofSeconds(2); // only a broken transport makes the kit wait that long
        }
    }

    static class Right extends MemoryKit {
        @Override
        Fault fault() {
            return Fault.NONE;
        }
    }

    /** A transport whose stages cannot be cancelled runs the base kit only, and passes it. */
    static class MinimalStageOnTheBaseKit extends WebhookTransportContractTest {
        private final WebhookMemoryNetwork network = new WebhookMemoryNetwork(SECRET);

        @Override
        protected WebhookTransport createTransport(ManualTime time, int maxAttempts) {
            return new WebhookMemoryTransport(network, time, maxAttempts, SECRET, Fault.MINIMAL_STAGE);
        }

        @Override
        protected WebhookReceiver createReceiver(WebhookReceiver.Script script) {
            return network.stand(script);
        }

        @Override
        protected URI refusedDestination(WebhookReceiver receiver) {
            return WebhookMemoryNetwork.refused(receiver);
        }

        @Override
        protected String secret() {
            return SECRET;
        }

        @Override
        protected Duration patience() {
            return Duration.ofSeconds(2);
        }
    }

    static class Blocks extends MemoryKit {
        @Override
        Fault fault() {
            return Fault.BLOCKS;
        }
    }

    static class ReportsOutOfOrder extends MemoryKit {
        @Override
        Fault fault() {
            return Fault.REPORTS_OUT_OF_ORDER;
        }
    }

    static class ReportsTwice extends MemoryKit {
        @Override
        Fault fault() {
            return Fault.REPORTS_TWICE;
        }
    }

    static class NumbersFromOne extends MemoryKit {
        @Override
        Fault fault() {
            return Fault.NUMBERS_FROM_ONE;
        }
    }

    static class CompletesExceptionally extends MemoryKit {
        @Override
        Fault fault() {
            return Fault.COMPLETES_EXCEPTIONALLY;
        }
    }

    static class CompletesBeforeReporting extends MemoryKit {
        @Override
        Fault fault() {
            return Fault.COMPLETES_BEFORE_REPORTING;
        }
    }

    static class LeaksSecret extends MemoryKit {
        @Override
        Fault fault() {
            return Fault.LEAKS_SECRET;
        }
    }

    static class EchoesAnswer extends MemoryKit {
        @Override
        Fault fault() {
            return Fault.ECHOES_ANSWER;
        }
    }

    static class RetriesPastLimit extends MemoryKit {
        @Override
        Fault fault() {
            return Fault.RETRIES_PAST_LIMIT;
        }
    }

    static class IgnoresFirstAttemptInLimit extends MemoryKit {
        @Override
        Fault fault() {
            return Fault.IGNORES_FIRST_ATTEMPT_IN_LIMIT;
        }
    }

    static class RetriesRejections extends MemoryKit {
        @Override
        Fault fault() {
            return Fault.RETRIES_REJECTIONS;
        }
    }

    static class RetriesEarly extends MemoryKit {
        @Override
        Fault fault() {
            return Fault.RETRIES_EARLY;
        }
    }

    static class RetriesEarlyOnItsWorker extends MemoryKit {
        @Override
        Fault fault() {
            return Fault.RETRIES_EARLY_ON_ITS_WORKER;
        }
    }

    static class SendsBeforeChecking extends MemoryKit {
        @Override
        Fault fault() {
            return Fault.SENDS_BEFORE_CHECKING;
        }
    }

    static class SendsTwice extends MemoryKit {
        @Override
        Fault fault() {
            return Fault.SENDS_TWICE;
        }
    }

    static class SharesState extends MemoryKit {
        @Override
        Fault fault() {
            return Fault.SHARES_STATE;
        }
    }

    static class DropsErrorTask extends MemoryKit {
        @Override
        Fault fault() {
            return Fault.DROPS_ERROR_TASK;
        }
    }

    static class IgnoresCancel extends MemoryKit {
        @Override
        Fault fault() {
            return Fault.IGNORES_CANCEL;
        }
    }

    static class CancelStopsAll extends MemoryKit {
        @Override
        Fault fault() {
            return Fault.CANCEL_STOPS_ALL;
        }
    }

    static class MinimalStage extends MemoryKit {
        @Override
        Fault fault() {
            return Fault.MINIMAL_STAGE;
        }
    }
}
