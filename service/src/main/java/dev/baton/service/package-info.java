/**
 * The idempotent-service kit for services written in Java: {@link dev.baton.service.IdempotentService} runs each
 * execution id at most once while its result is retained and makes concurrent duplicates wait for the first;
 * {@link dev.baton.service.ServiceHttpServer} serves it over HTTP in the HTTP transport's wire format.
 */
package dev.baton.service;
