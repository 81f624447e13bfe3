// Times the wires inside a composed component. Each wire there is a fused
// adapter in core wasm that calls jco's enter/exit-sync-call trampolines
// around the callee; `tuneGlue` lets them tell this tap first (caller and
// callee by jco's component-instance index), and the tap counts each call as
// a direct call across that wire: the callee's time, its own work (minus the
// calls it made), the wire's calls. The copies the adapter makes belong to the
// interval, as they count as the nodes' work in the JS-linked mode.
import type { CallRecorder } from "./call-recorder";

/** Who is inside a composed unit: its members in instantiation order and the wires between them. */
export interface ComposedMembers {
  nodes: string[];
  links: Array<{ linkId: string; from: string; to: string }>;
}

interface Frame {
  from: string;
  to: string;
  linkId: string | null;
  t0: number;
  childMs: number;
}

export class WireTap {
  readonly #frames: Frame[] = [];
  readonly #links = new Map<string, string>();

  /** `instances`: jco's component-instance indices in instantiation order, one per member (`glueInstanceOrder`). */
  private constructor(
    readonly recorder: CallRecorder,
    readonly unitId: string,
    readonly byInstance: Map<number, string>,
    members: ComposedMembers,
  ) {
    for (const l of members.links) if (!this.#links.has(`${l.from}>${l.to}`)) this.#links.set(`${l.from}>${l.to}`, l.linkId);
  }

  /** A tap when the glue's instances match the members one to one; else undefined (the unit is then timed as one node). */
  static create(recorder: CallRecorder, unitId: string, members: ComposedMembers, instances: number[]): WireTap | undefined {
    if (instances.length !== members.nodes.length || new Set(instances).size !== instances.length) return undefined;
    return new WireTap(recorder, unitId, new Map(instances.map((idx, i) => [idx, members.nodes[i]!])), members);
  }

  enter(caller: number, callee: number): void {
    const from = this.byInstance.get(caller) ?? this.unitId;
    const to = this.byInstance.get(callee) ?? this.unitId;
    this.#frames.push({ from, to, linkId: this.#links.get(`${from}>${to}`) ?? null, t0: performance.now(), childMs: 0 });
  }

  exit(): void {
    const f = this.#frames.pop();
    if (!f) return;
    const ms = performance.now() - f.t0;
    const parent = this.#frames.at(-1);
    if (parent) parent.childMs += ms;
    this.recorder.innerCallTook(f, ms, f.childMs, !parent);
  }

  /** Before each call into the unit: a trap leaves frames behind that no exit will pop. */
  reset(): void {
    this.#frames.length = 0;
  }
}
