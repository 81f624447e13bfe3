// Minimal semver for interface versions (`0.2.0`, `0.2.0-draft`, `1.4.2`).
export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  pre: string;
}

export function parseSemver(v: string): SemVer | null {
  const m = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(v);
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), pre: m[4] ?? "" };
}

/**
 * Can an exporter at version `provided` satisfy an import of version `wanted`?
 * Same major (for 0.x: same minor), provided ≥ wanted; pre-releases must match exactly.
 */
export function semverSatisfies(provided: string | undefined, wanted: string | undefined): boolean {
  if (provided === wanted) return true;
  if (provided === undefined || wanted === undefined) return false;
  const p = parseSemver(provided);
  const w = parseSemver(wanted);
  if (!p || !w) return false;
  if (p.pre !== "" || w.pre !== "") return p.major === w.major && p.minor === w.minor && p.patch === w.patch && p.pre === w.pre;
  if (p.major !== w.major) return false;
  if (p.major === 0 && p.minor !== w.minor) return false;
  if (p.minor !== w.minor) return p.minor > w.minor;
  return p.patch >= w.patch;
}
