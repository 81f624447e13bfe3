// A value or a typed error. Pure ops return this instead of throwing so callers
// (store, CLI, route handlers) decide how to present a refusal.
export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const err = <E>(error: E): { ok: false; error: E } => ({ ok: false, error });
