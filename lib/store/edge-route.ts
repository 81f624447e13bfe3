// Wire geometry for the canvas: where a label can sit without covering a node,
// and a path for wires that run backwards (into a node left of their source),
// which a plain bezier would draw straight through both nodes. Pure functions
// of rectangles, so they can be tested without a browser.

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Pt {
  x: number;
  y: number;
}

const overlaps = (a: Rect, b: Rect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

function cubic(p0: Pt, p1: Pt, p2: Pt, p3: Pt, t: number): Pt {
  const u = 1 - t;
  const a = u * u * u, b = 3 * u * u * t, c = 3 * u * t * t, d = t * t * t;
  return { x: a * p0.x + b * p1.x + c * p2.x + d * p3.x, y: a * p0.y + b * p1.y + c * p2.y + d * p3.y };
}

/** The point at fraction t of an SVG path made of M, L and C commands (absolute). */
export function pointOnPath(path: string, t: number): Pt {
  const segs: ((u: number) => Pt)[] = [];
  const lens: number[] = [];
  const re = /([MLC])([^MLC]*)/g;
  let cur: Pt = { x: 0, y: 0 };
  for (let m = re.exec(path); m; m = re.exec(path)) {
    const n = (m[2] ?? "").trim().split(/[\s,]+/).filter(Boolean).map(Number);
    if (m[1] === "M") cur = { x: n[0]!, y: n[1]! };
    else if (m[1] === "L") {
      for (let i = 0; i + 1 < n.length; i += 2) {
        const a = cur, b = { x: n[i]!, y: n[i + 1]! };
        segs.push((u) => ({ x: a.x + (b.x - a.x) * u, y: a.y + (b.y - a.y) * u }));
        lens.push(Math.hypot(b.x - a.x, b.y - a.y));
        cur = b;
      }
    } else {
      for (let i = 0; i + 5 < n.length; i += 6) {
        const a = cur, c1 = { x: n[i]!, y: n[i + 1]! }, c2 = { x: n[i + 2]!, y: n[i + 3]! }, b = { x: n[i + 4]!, y: n[i + 5]! };
        segs.push((u) => cubic(a, c1, c2, b, u));
        // The control polygon bounds the arc length; its mean with the chord is close enough to split by.
        lens.push((Math.hypot(c1.x - a.x, c1.y - a.y) + Math.hypot(c2.x - c1.x, c2.y - c1.y) + Math.hypot(b.x - c2.x, b.y - c2.y) + Math.hypot(b.x - a.x, b.y - a.y)) / 2);
        cur = b;
      }
    }
  }
  if (segs.length === 0) return cur;
  const total = lens.reduce((s, l) => s + l, 0) || 1;
  let want = Math.max(0, Math.min(1, t)) * total;
  for (let i = 0; i < segs.length; i++) {
    if (want <= lens[i]! || i === segs.length - 1) return segs[i]!(lens[i]! ? Math.min(1, want / lens[i]!) : 0);
    want -= lens[i]!;
  }
  return cur;
}

const CANDIDATES = [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.12, 0.88];

/** Steps off the wire, in label heights, tried when no point on it is free (a short wire between close nodes). */
const NUDGES = [0, -1, 1, -2, 2, -3, 3];

/** The spots a label may take along (or just beside) a path, best first, and the box around all of them. */
export interface LabelSpots {
  points: Pt[];
  fallback: Pt;
  bounds: Rect;
}

export function labelSpots(path: string, size: { width: number; height: number }): LabelSpots {
  const along = CANDIDATES.map((t) => pointOnPath(path, t));
  const points = NUDGES.flatMap((k) => along.map((p) => ({ x: p.x, y: p.y + k * (size.height + 2) })));
  const xs = points.map((p) => p.x), ys = points.map((p) => p.y);
  const x = Math.min(...xs) - size.width / 2, y = Math.min(...ys) - size.height / 2;
  return { points, fallback: pointOnPath(path, 0.5), bounds: { x, y, width: Math.max(...xs) + size.width / 2 - x, height: Math.max(...ys) + size.height / 2 - y } };
}

/** Whether a node could cover any of these spots (a cheap test to run against every node first). */
export const nearSpots = (spots: LabelSpots, n: Rect) => overlaps(spots.bounds, n);

/** The first spot a label of this size can take without covering a node; the middle when none is free. */
export function pickSpot(spots: LabelSpots, size: { width: number; height: number }, nodes: Rect[]): Pt {
  for (const q of spots.points) {
    const r = { x: q.x - size.width / 2, y: q.y - size.height / 2, width: size.width, height: size.height };
    if (!nodes.some((n) => overlaps(r, n))) return q;
  }
  return spots.fallback;
}

/** Where along the path (or just beside it) a label of this size covers no node; the middle when nowhere is free. */
export function placeLabel(path: string, size: { width: number; height: number }, nodes: Rect[]): Pt {
  const spots = labelSpots(path, size);
  return pickSpot(spots, size, nodes.filter((n) => nearSpots(spots, n)));
}

const GAP = 28;

/**
 * A wire from a source handle on the right of one node into a target handle
 * on the left of a node further left: out to the right, down below every node
 * in its way, back left, and in from the left.
 */
export function backEdgePath(s: Pt, t: Pt, ends: Rect[], others: Rect[]): { path: string; label: Pt } {
  const right = s.x + GAP;
  const left = t.x - GAP;
  let y = Math.max(...ends.map((r) => r.y + r.height)) + GAP;
  // Push the run below any node it would cross (a few rounds settle stacked ones).
  for (let round = 0; round < 8; round++) {
    const hit = others.find((r) => r.x < right && left < r.x + r.width && r.y < y && y < r.y + r.height);
    if (!hit) break;
    y = hit.y + hit.height + GAP;
  }
  const k = 10; // corner radius
  const path = [
    `M ${s.x},${s.y}`,
    `L ${right - k},${s.y}`,
    `C ${right},${s.y} ${right},${s.y} ${right},${s.y + k}`,
    `L ${right},${y - k}`,
    `C ${right},${y} ${right},${y} ${right - k},${y}`,
    `L ${left + k},${y}`,
    `C ${left},${y} ${left},${y} ${left},${y - k}`,
    `L ${left},${t.y + (t.y < y ? k : -k)}`,
    `C ${left},${t.y} ${left},${t.y} ${left + k},${t.y}`,
    `L ${t.x},${t.y}`,
  ].join(" ");
  return { path, label: { x: (left + right) / 2, y } };
}
