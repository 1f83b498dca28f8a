package dev.baton.transport.tck;

/**
 * What the service on the far side of a transport does with each call; each test of the kit writes its own. The
 * fixture calls it on its own threads, once per call that reaches the service, and may call it concurrently. A script
 * may block (waiting on a latch the test holds) to play a slow or hung service. A script that throws plays a service
 * that broke while it handled the call: the fixture answers as its protocol does for a service's internal error (for
 * HTTP, a 500).
 */
@FunctionalInterface
public interface ServiceScript {

    /**
     * Answers one call.
     *
     * @param call the call as the service received it
     * @return the answer to send back
     * @throws InterruptedException if the fixture stops the service while the script waits
     */
    ServiceAnswer answer(ServiceCall call) throws InterruptedException;
}
