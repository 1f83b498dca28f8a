package dev.baton.service;

/**
 * The service's own work for one execution. Return plain JSON values (maps, lists, strings, numbers, booleans,
 * {@code null}); throw {@link ServiceException} to choose how the failure is reported.
 */
@FunctionalInterface
public interface ServiceHandler {

    /**
     * @param request the attempt
     * @return the output
     * @throws Exception when the work failed; failures are not remembered, so a later attempt runs again
     */
    Object handle(ServiceRequest request) throws Exception;
}
