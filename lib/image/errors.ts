// Typed errors for everything that reads or writes images. Every refusal has a
// stable `kind` so the queue, CLI and UI can present it without parsing text.

/** Every error kind, as a runtime list (tests and callers check a kind against it). */
export const IMAGE_ERROR_KINDS = [
  // path safety
  "path-escape",
  "path-absolute",
  "path-invalid",
  "path-too-long",
  "path-through-symlink",
  "not-a-directory",
  "hardlink-invalid",
  // limits
  "limit-entries",
  "limit-size",
  "limit-ratio",
  // container formats
  "archive-invalid",
  "archive-truncated",
  "unknown-format",
  "manifest-invalid",
  "blob-missing",
  "digest-mismatch",
  "platform-not-found",
  "unsupported-media-type",
  "layer-invalid",
  // packed rootfs
  "rootfs-invalid",
  "rootfs-not-found",
  "rootfs-wrong-type",
  "io",
] as const;

export type ImageErrorKind = (typeof IMAGE_ERROR_KINDS)[number];

export interface ImageError {
  kind: ImageErrorKind;
  message: string;
  /** The path inside the image (or rootfs) the error is about, when there is one. */
  path?: string;
  /** The blob digest the error is about, when there is one. */
  digest?: string;
  /** platform-not-found: the platforms the image offers (`os/arch[/variant]`). */
  platforms?: string[];
}

export function imageError(kind: ImageErrorKind, message: string, extra: { path?: string; digest?: string; platforms?: string[] } = {}): ImageError {
  return { kind, message, ...extra };
}

/** Thrown inside streaming code (where a Result cannot flow back through
 *  stream callbacks) and turned back into a Result at the public boundary. */
export class ImageFailure extends Error {
  readonly error: ImageError;
  constructor(error: ImageError) {
    super(error.message);
    this.error = error;
  }
}

export function fail(kind: ImageErrorKind, message: string, extra: { path?: string; digest?: string; platforms?: string[] } = {}): never {
  throw new ImageFailure(imageError(kind, message, extra));
}

/** Converts anything thrown into an ImageError (unknown errors become `io`). */
export function toImageError(e: unknown): ImageError {
  if (e instanceof ImageFailure) return e.error;
  const msg = e instanceof Error ? e.message : String(e);
  return imageError("io", msg);
}
