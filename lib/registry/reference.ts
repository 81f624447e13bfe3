// Image references as docker writes them: `[host[:port]/]repo[:tag][@sha256:…]`.
// Pure: parsing and normalising only. Docker Hub short names are expanded as
// docker does (`nginx` → `docker.io/library/nginx:latest`).

import { err, ok, type Result } from "../result";
import type { RegistryError } from "./errors";

export interface ImageReference {
  /** `docker.io`, `ghcr.io`, `127.0.0.1:5000`, `[::1]:5000` */
  registry: string;
  /** `library/nginx` */
  repository: string;
  /** Absent only when a digest is given without a tag. */
  tag?: string;
  digest?: string;
  /** The normalised form: `registry/repository[:tag][@digest]`. */
  canonical: string;
}

export const DOCKER_HUB = "docker.io";
/** Where Docker Hub's API actually answers. */
export const DOCKER_HUB_API = "registry-1.docker.io";

// Grammar from the distribution reference spec.
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DOMAIN_LABEL = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const SHA256 = /^sha256:[a-f0-9]{64}$/;
const MAX_NAME = 255;

function invalid(input: string, why: string): { ok: false; error: RegistryError } {
  const shown = JSON.stringify(input.length > 120 ? input.slice(0, 120) + "…" : input);
  return err({ kind: "reference-invalid", message: `${shown} is not an image reference: ${why}`, reference: input });
}

function validDomain(d: string): string | null {
  const ipv6 = /^\[([0-9a-fA-F:.]+)\](?::(\d{1,5}))?$/.exec(d);
  if (ipv6) return ipv6[2] !== undefined && (Number(ipv6[2]) < 1 || Number(ipv6[2]) > 65535) ? "the port is out of range" : null;
  const m = /^([^:]+)(?::(\d+))?$/.exec(d);
  if (!m) return `${JSON.stringify(d)} is not a host[:port]`;
  if (m[2] !== undefined && (m[2].length > 5 || Number(m[2]) < 1 || Number(m[2]) > 65535)) return `port ${m[2]} is out of range`;
  if (!m[1]!.split(".").every((l) => DOMAIN_LABEL.test(l))) return `${JSON.stringify(m[1])} is not a host name`;
  return null;
}

/** Parses a reference; junk gets a `reference-invalid` error saying what is wrong. */
export function parseReference(input: string): Result<ImageReference, RegistryError> {
  let s = input.trim();
  if (s.startsWith("docker://")) s = s.slice("docker://".length);
  if (s === "") return invalid(input, "it is empty");
  if (/[\s\0-\x1f\x7f]/.test(s)) return invalid(input, "it contains whitespace or control characters");
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) return invalid(input, "write host/repository:tag without a URL scheme");

  let digest: string | undefined;
  const at = s.indexOf("@");
  if (at >= 0) {
    digest = s.slice(at + 1);
    s = s.slice(0, at);
    if (!/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(digest)) return invalid(input, `${JSON.stringify(digest)} is not a digest (sha256:<64 hex digits>)`);
    if (!digest.startsWith("sha256:")) return invalid(input, `only sha256 digests are supported, not ${digest.split(":")[0]}`);
    if (!SHA256.test(digest)) return invalid(input, "a sha256 digest has 64 lowercase hex digits");
  }
  // The tag is after the last colon that follows the last slash (a colon before a slash is a port).
  let tag: string | undefined;
  const lastSlash = s.lastIndexOf("/");
  const colon = s.lastIndexOf(":");
  if (colon > lastSlash && !(lastSlash < 0 && s.startsWith("["))) {
    tag = s.slice(colon + 1);
    s = s.slice(0, colon);
    if (!TAG.test(tag)) return invalid(input, `${JSON.stringify(tag)} is not a tag (letters, digits, _ . -, at most 128, not starting with . or -)`);
  }
  if (s === "") return invalid(input, "it has no repository name");

  let registry = DOCKER_HUB;
  let path = s;
  const slash = s.indexOf("/");
  if (slash >= 0) {
    const first = s.slice(0, slash);
    // docker's rule: the first component is a host when it has a dot or a colon, is localhost, or has capitals.
    if (/[.:]/.test(first) || first === "localhost" || first.startsWith("[") || first !== first.toLowerCase()) {
      const why = validDomain(first);
      if (why) return invalid(input, why);
      registry = first;
      path = s.slice(slash + 1);
    }
  }
  if (registry === "index.docker.io" || registry === "registry-1.docker.io") registry = DOCKER_HUB;
  if (path === "") return invalid(input, "it has no repository name");
  const parts = path.split("/");
  for (const p of parts) {
    if (p === "") return invalid(input, "the repository has an empty path component");
    if (!COMPONENT.test(p)) {
      return invalid(input, p !== p.toLowerCase() ? `repository names are lowercase (${JSON.stringify(p)})` : `${JSON.stringify(p)} is not a valid repository component (lowercase letters, digits, separators . _ __ -)`);
    }
  }
  if (registry === DOCKER_HUB && parts.length === 1) parts.unshift("library");
  const repository = parts.join("/");
  if (registry.length + 1 + repository.length > MAX_NAME) return invalid(input, `the name is longer than ${MAX_NAME} characters`);
  if (tag === undefined && digest === undefined) tag = "latest";
  const canonical = `${registry}/${repository}${tag !== undefined ? `:${tag}` : ""}${digest ? `@${digest}` : ""}`;
  return ok({ registry, repository, ...(tag !== undefined ? { tag } : {}), ...(digest ? { digest } : {}), canonical });
}

/** The host (and port) the API is reached at. */
export function apiHost(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_API : registry;
}

/** The reference pinned to a digest (keeps the tag for people: `repo:tag@sha256:…`). */
export function withDigest(r: ImageReference, digest: string): ImageReference {
  return { ...r, digest, canonical: `${r.registry}/${r.repository}${r.tag !== undefined ? `:${r.tag}` : ""}@${digest}` };
}

/** True when `s` looks like a reference rather than a file path (no path-ish prefix, parses). */
export function looksLikeReference(s: string): boolean {
  if (s.startsWith("docker://")) return true;
  if (/^(\.{0,2}\/|~)/.test(s) || /\.(tar|tgz|tar\.gz|oci)$/i.test(s)) return false;
  return parseReference(s).ok;
}
