// Names of a compiled container's wasi:http component in a compile job (http-component.ts builds it),
// apart from the builder so routes can read a job's files without loading jco.
export const HTTP_HANDLER_EXPORT = "wasi:http/incoming-handler@0.2.0";
/** The role of the component in a job's `produced.native.extraFiles`. */
export const HTTP_COMPONENT_ROLE = `component (${HTTP_HANDLER_EXPORT})`;
export const HTTP_COMPONENT_FILE = "artifact.http.wasm";
/** The role of the core's wasi:cli/run wrapper (both roles start with "component"; match them whole). */
export const CLI_COMPONENT_ROLE = "component (wasi:cli/run)";
