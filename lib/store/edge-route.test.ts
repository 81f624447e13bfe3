import { describe, expect, it } from "vitest";
import { backEdgePath, placeLabel, pointOnPath, type Rect } from "./edge-route";

const inside = (p: { x: number; y: number }, r: Rect) => p.x > r.x && p.x < r.x + r.width && p.y > r.y && p.y < r.y + r.height;

describe("pointOnPath", () => {
  it("walks lines by length and reaches both ends", () => {
    const path = "M 0,0 L 100,0 L 100,100";
    expect(pointOnPath(path, 0)).toEqual({ x: 0, y: 0 });
    expect(pointOnPath(path, 0.25)).toEqual({ x: 50, y: 0 });
    expect(pointOnPath(path, 0.75)).toEqual({ x: 100, y: 50 });
    expect(pointOnPath(path, 1)).toEqual({ x: 100, y: 100 });
  });
  it("follows a cubic (React Flow's bezier output)", () => {
    const p = pointOnPath("M0,0 C50,0 50,100 100,100", 0.5);
    expect(p.x).toBeCloseTo(50);
    expect(p.y).toBeCloseTo(50);
  });
});

describe("placeLabel", () => {
  const path = "M 0,0 L 400,0";
  const size = { width: 60, height: 18 };
  it("keeps the middle when it is free", () => expect(placeLabel(path, size, [])).toEqual({ x: 200, y: 0 }));
  it("moves off a node sitting on the middle of the wire", () => {
    const node = { x: 150, y: -40, width: 100, height: 80 };
    const p = placeLabel(path, size, [node]);
    expect(Math.abs(p.x - 200)).toBeGreaterThan(50 + 30 - 1);
    expect(p.x - 30 >= node.x + node.width || p.x + 30 <= node.x).toBe(true);
  });
  it("steps beside a short wire whose every point is under or next to a node", () => {
    const nodes = [
      { x: -200, y: -30, width: 190, height: 60 },
      { x: 10, y: -30, width: 190, height: 20 },
    ];
    const p = placeLabel("M -10,0 L 10,0", size, nodes);
    const r = { x: p.x - 30, y: p.y - 9, width: 60, height: 18 };
    for (const n of nodes) expect(r.x < n.x + n.width && n.x < r.x + r.width && r.y < n.y + n.height && n.y < r.y + r.height).toBe(false);
    expect(Math.abs(p.y)).toBeLessThanOrEqual(3 * 20);
  });
  it("falls back to the middle when the whole wire is covered", () => expect(placeLabel(path, size, [{ x: -10, y: -500, width: 420, height: 1000 }])).toEqual({ x: 200, y: 0 }));
});

describe("backEdgePath", () => {
  const src: Rect = { x: 400, y: 0, width: 200, height: 100 };
  const dst: Rect = { x: 0, y: 40, width: 200, height: 120 };
  const s = { x: 600, y: 50 };
  const t = { x: 0, y: 100 };
  it("runs below both end nodes, never through them", () => {
    const { path, label } = backEdgePath(s, t, [src, dst], []);
    expect(label.y).toBeGreaterThan(160);
    for (let i = 1; i < 100; i++) {
      const p = pointOnPath(path, i / 100);
      expect(inside(p, src) || inside(p, dst)).toBe(false);
    }
    const [a, b] = [pointOnPath(path, 0), pointOnPath(path, 1)];
    expect([a.x, a.y]).toEqual([s.x, s.y]);
    expect(b.x).toBeCloseTo(t.x);
    expect(b.y).toBeCloseTo(t.y);
  });
  it("drops below a node standing in the way of its return run", () => {
    const blocker = { x: 250, y: 150, width: 100, height: 200 };
    const { label } = backEdgePath(s, t, [src, dst], [blocker]);
    expect(label.y).toBeGreaterThan(350);
  });
});
