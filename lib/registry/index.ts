// Public surface of lib/registry: image references, credentials, the OCI
// distribution client, pull into an OCI layout tar, push a Wasm artifact.
// No server state here, so a worker on another machine can use it as is.
export { parseReference, looksLikeReference, withDigest, apiHost, type ImageReference } from "./reference";
export { parseChallenges, type Challenge } from "./challenge";
export { authFileCredentials, firstOf, type Credential, type CredentialLookup } from "./credentials";
export { RegistryClient, insecureFromEnv, insecureAllowed, isLoopback, MEDIA, type ClientOptions } from "./client";
export { pullImage, type PullOptions, type PullProgress, type PullResult, type PullLayerProgress } from "./pull";
export { pushArtifact, WASM_CONFIG_MEDIA_TYPE, WASM_LAYER_MEDIA_TYPE, type PushOptions, type PushResult } from "./push";
export type { RegistryError, RegistryErrorKind } from "./errors";
