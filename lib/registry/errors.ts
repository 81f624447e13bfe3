// Typed errors for talking to registries. Every message names the reference it
// is about (set by the caller that knows it), never a credential.

export type RegistryErrorKind =
  | "reference-invalid"
  | "insecure-refused"
  | "network"
  | "auth-failed"
  | "not-found"
  | "blob-missing"
  | "digest-mismatch"
  | "manifest-invalid"
  | "unsupported-media-type"
  | "platform-not-found"
  | "interrupted"
  | "limit-size"
  | "registry-error"
  | "cancelled"
  | "io";

export interface RegistryError {
  kind: RegistryErrorKind;
  message: string;
  /** The reference as the user wrote it (or its canonical form). */
  reference?: string;
  digest?: string;
  /** HTTP status the registry answered with, when that is the reason. */
  status?: number;
  /** platform-not-found: what the image offers. */
  platforms?: string[];
}

export class RegistryFailure extends Error {
  constructor(readonly error: RegistryError) {
    super(error.message);
  }
}

export function rfail(kind: RegistryErrorKind, message: string, extra: Omit<RegistryError, "kind" | "message"> = {}): never {
  throw new RegistryFailure({ kind, message, ...extra });
}

/** Anything thrown → a RegistryError about `reference` (its message is prefixed with the reference once). */
export function toRegistryError(e: unknown, reference: string): RegistryError {
  let base: RegistryError;
  if (e instanceof RegistryFailure) base = e.error;
  else if (typeof e === "object" && e !== null && typeof (e as { error?: { kind?: unknown } }).error?.kind === "string") {
    // an ImageFailure from lib/image (shares kind names such as digest-mismatch, limit-size)
    const x = (e as { error: { kind: string; message: string; digest?: string; platforms?: string[] } }).error;
    base = { kind: (x.kind as RegistryErrorKind) ?? "io", message: x.message, ...(x.digest ? { digest: x.digest } : {}), ...(x.platforms ? { platforms: x.platforms } : {}) };
  } else {
    const x = e as NodeJS.ErrnoException;
    if (x?.name === "AbortError") base = { kind: "cancelled", message: "cancelled" };
    else base = { kind: "io", message: x?.message ?? String(e) };
  }
  const message = base.message.startsWith(`${reference}: `) ? base.message : `${reference}: ${base.message}`;
  return { ...base, message, reference };
}
