// Times the wires inside a composed component. Each wire there is a fused
// adapter in core wasm that calls jco's enter/exit-sync-call trampolines
// around the callee; `tuneGlue` lets them tell this tap first (caller and
// callee by jco's component-instance index), and the tap counts each call as
// a direct call across that wire: the callee's time, its own work (minus the
// calls it made), the wire's calls. The copies the adapter makes belong to the
// interval, as they count as the nodes' work in the JS-linked mode.
import type { CallRecorder } from "./call-recorder";
import { leanHostSummary } from "./lean-host-glue";
import { glueInstanceOrder } from "./transpile";

/** Who is inside a composed unit: its members in instantiation order and the wires between them. */
export interface ComposedMembers {
  nodes: string[];
  links: Array<{ linkId: string; from: string; to: string }>;
  /** Members nothing of whose subtree imports from the host (WASI, key-value): the calls the tap may enter itself even where some host import keeps jco's lowering. */
  hostFree: string[];
}

/**
 * Whether the tap may enter callees itself, skipping jco's task bookkeeping
 * (a subtask and a task object, a lock and stacks per call): a sync call
 * between sync-only members never suspends, and nothing in such a callee's
 * subtree looks its task up. Not when values crossing a wire need tasks:
 * resource handles (borrows are scoped to the callee's task), streams and
 * futures; jco adds their transfer functions only when used. A callee that
 * calls the host qualifies only when every host import of the unit takes the
 * lean path (`lean-host-glue.ts`): on jco's path each host call looks the
 * caller's task up and, finding none, makes one that jco never releases (the
 * process grew ten times slower per request that way).
 */
export function leanCallsSafe(glue: string): boolean {
  return !/function (resourceTransfer(Own|Borrow)|streamTransfer|futureTransfer)\b/.test(glue);
}

/** Who a call goes between, found once per pair of jco instance indices. */
interface Route {
  from: string;
  to: string;
  linkId: string | null;
  /** Entered by the tap alone (jco's trampolines not called). */
  lean: boolean;
}

interface Frame {
  /** The member running (the callee of this frame's call). */
  nodeId: string;
  route: Route;
  t0: number;
  childMs: number;
  /** A lean callee's context slots (a new task's start at zero). */
  slots: number[];
  /** jco's current-task register when a lean callee was entered (put back when it returns). */
  callerTask: unknown;
}

export class WireTap {
  /** Frames are reused: a call's is `#frames[depth - 1]`. */
  readonly #frames: Frame[] = [];
  #depth = 0;
  /** The register to put back after the lean call that just returned. */
  callerTask: unknown;
  readonly #routes = new Map<number, Route>();
  readonly #links = new Map<string, string>();
  readonly #hostFree: Set<string>;

  private constructor(
    readonly recorder: CallRecorder,
    readonly unitId: string,
    readonly byInstance: Map<number, string>,
    members: ComposedMembers,
    readonly lean: boolean,
    /** Every host import of the unit takes the lean path: callees that call the host may be entered lean too. */
    readonly hostCallsLean: boolean,
  ) {
    // Calls a member makes out of the unit (to the host: a key-value store) are its callees.
    recorder.innerFrame = () => (this.#depth > 0 ? this.#frames[this.#depth - 1] : undefined);
    for (const l of members.links) if (!this.#links.has(`${l.from}>${l.to}`)) this.#links.set(`${l.from}>${l.to}`, l.linkId);
    this.#hostFree = new Set(members.hostFree);
  }

  /** A tap when the glue's component instances (jco's indices, `glueInstanceOrder`) match the members one to one; else undefined (the unit is then timed as one node). */
  static create(recorder: CallRecorder, unitId: string, members: ComposedMembers, glue: string, leanHostCalls = true): WireTap | undefined {
    const instances = glueInstanceOrder(glue);
    if (instances.length !== members.nodes.length || new Set(instances).size !== instances.length) return undefined;
    const hostLean = leanHostCalls && leanHostSummary(glue)?.kept.length === 0;
    return new WireTap(recorder, unitId, new Map(instances.map((idx, i) => [idx, members.nodes[i]!])), members, leanCallsSafe(glue), hostLean);
  }

  #route(caller: number, callee: number): Route {
    const key = caller * 0x10000 + callee;
    let r = this.#routes.get(key);
    if (!r) {
      const from = this.byInstance.get(caller) ?? this.unitId;
      const to = this.byInstance.get(callee) ?? this.unitId;
      r = { from, to, linkId: this.#links.get(`${from}>${to}`) ?? null, lean: this.lean && (this.hostCallsLean || this.#hostFree.has(to)) };
      this.#routes.set(key, r);
    }
    return r;
  }

  /** Before a call across a wire inside the unit; true when the tap has entered the callee itself (jco's trampoline is skipped). */
  enter(caller: number, callee: number, callerTask?: unknown): boolean {
    const route = this.#route(caller, callee);
    let f = this.#frames[this.#depth];
    if (!f) this.#frames.push((f = { nodeId: route.to, route, t0: 0, childMs: 0, slots: [0, 0], callerTask }));
    this.#depth++;
    f.route = route;
    f.nodeId = route.to;
    f.callerTask = callerTask;
    f.childMs = 0;
    f.slots[0] = f.slots[1] = 0;
    f.t0 = performance.now();
    return route.lean;
  }

  /** After the call; true when its entry was the tap's alone (so jco's exit trampoline is skipped too). */
  exit(): boolean {
    if (this.#depth === 0) return false;
    const ms = performance.now();
    const f = this.#frames[--this.#depth]!;
    const took = ms - f.t0;
    const parent = this.#depth > 0 ? this.#frames[this.#depth - 1] : undefined;
    if (parent) parent.childMs += took;
    this.recorder.innerCallTook(f.route, took, f.childMs, !parent);
    this.callerTask = f.callerTask;
    return f.route.lean;
  }

  /** context.get for an adapter: in a callee the tap entered, its own slot; else undefined (jco's task holds it). */
  contextGet(slot: number, _jco: unknown): (() => number) | undefined {
    return () => {
      const f = this.#depth > 0 ? this.#frames[this.#depth - 1]! : undefined;
      return f?.route.lean ? (f.slots[slot] ?? 0) : (_jco as () => number)();
    };
  }

  contextSet(slot: number, _jco: unknown): ((v: number) => void) | undefined {
    return (v: number) => {
      const f = this.#depth > 0 ? this.#frames[this.#depth - 1]! : undefined;
      if (f?.route.lean) f.slots[slot] = v;
      else (_jco as (v: number) => void)(v);
    };
  }

  /** Before each call into the unit: a trap leaves frames behind that no exit will pop. */
  reset(): void {
    this.#depth = 0;
  }
}
