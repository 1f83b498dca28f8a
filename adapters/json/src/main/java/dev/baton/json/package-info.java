/**
 * JSON for Baton: plans ({@link dev.baton.json.PlanJson}) and service catalogs
 * ({@link dev.baton.json.ServiceCatalogJson}) in Orra's formats, JSON Schema checks
 * ({@link dev.baton.json.NetworkntSchemaChecker}) and value mapping ({@link dev.baton.json.JacksonValueMapper}).
 * Jackson and networknt stay behind these types; no public signature exposes them.
 */
package dev.baton.json;
