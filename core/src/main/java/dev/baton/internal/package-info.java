/**
 * Implementation. Not API: nothing outside {@code baton-core} may use these types, and they change without notice.
 */
package dev.baton.internal;
