import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { genericTemplates } from "../graph/factory";
import type { DesignDocument } from "../graph/types";
import { attachAutosave, createDesignerStore, SaveError } from "./designer-store";

const sample = (): DesignDocument => JSON.parse(readFileSync("examples/thumbnail-service.json", "utf8"));
const make = () => createDesignerStore({ projectId: "p", doc: sample(), revision: 1 });
const containerTpl = genericTemplates().find((t) => t.kind === "container")!;

describe("designer store", () => {
  it("adds from a template with a unique name, undo removes it, redo brings it back", () => {
    const s = make();
    const before = s.getState().doc.topology.nodes.length;
    const id = s.getState().addFromTemplate(containerTpl, { x: 1, y: 2 })!;
    const id2 = s.getState().addFromTemplate(containerTpl, { x: 1, y: 2 })!;
    const names = s.getState().doc.topology.nodes.filter((n) => n.id === id || n.id === id2).map((n) => n.name);
    expect(names).toEqual(["container", "container-2"]);
    s.getState().undo();
    s.getState().undo();
    expect(s.getState().doc.topology.nodes).toHaveLength(before);
    s.getState().redo();
    expect(s.getState().doc.topology.nodes.map((n) => n.id)).toContain(id);
  });

  it("records a drop as one undoable step, and a drop where the node was as none", () => {
    const s = make();
    s.getState().moveNodes({ api: { x: 400, y: 80 } });
    expect(s.getState().past).toHaveLength(0);
    s.getState().moveNodes({ api: { x: 20, y: 30 } });
    expect(s.getState().past).toHaveLength(1);
    expect(s.getState().doc.topology.nodes.find((n) => n.id === "api")!.position).toEqual({ x: 20, y: 30 });
    s.getState().undo();
    expect(s.getState().doc.topology.nodes.find((n) => n.id === "api")!.position).toEqual({ x: 400, y: 80 });
  });

  it("a refused wire leaves the topology alone and explains itself", () => {
    const s = make();
    const t = s.getState().doc.topology;
    const e = s.getState().connect({ node: "metadata-db", port: "port:5432" }, { node: "api", port: "imp:acme:images/thumbnail" });
    expect(e?.kind).toBe("port-kind-mismatch");
    expect(s.getState().doc.topology).toBe(t);
    expect(s.getState().notice).toMatchObject({ level: "error", kind: "port-kind-mismatch", nodeIds: ["metadata-db", "api"] });
  });

  it("deleting the selection removes nodes with their wires; undo restores both", () => {
    const s = make();
    s.getState().setSelection({ nodes: ["api"], links: [] });
    s.getState().deleteSelection();
    expect(s.getState().doc.topology.links.filter((l) => l.from.node === "api" || l.to.node === "api")).toHaveLength(0);
    expect(s.getState().selection.nodes).toEqual([]);
    s.getState().undo();
    expect(s.getState().doc.topology.links).toHaveLength(4);
  });

  it("duplicate copies nodes and their inner wires beside them, keeps the clipboard, undoes in one step", () => {
    const s = make();
    s.getState().setSelection({ nodes: ["api"], links: [] });
    s.getState().copy();
    const clip = s.getState().clipboard;
    const t = s.getState().doc.topology;
    s.getState().duplicate(["metadata-db", "indexer"]);
    const after = s.getState().doc.topology;
    expect(after.nodes).toHaveLength(t.nodes.length + 2);
    const [a, b] = s.getState().selection.nodes.map((id) => after.nodes.find((n) => n.id === id)!);
    const orig = t.nodes.find((n) => n.id === "metadata-db")!;
    expect(a!.position).toEqual({ x: orig.position.x + 40, y: orig.position.y + 40 });
    expect(b!.id).not.toBe("indexer");
    expect(s.getState().clipboard).toBe(clip);
    s.getState().undo();
    expect(s.getState().doc.topology).toBe(t);
  });

  it("copy/paste selects the pasted nodes, offset further each time", () => {
    const s = make();
    s.getState().setSelection({ nodes: ["metadata-db", "indexer"], links: [] });
    s.getState().copy();
    s.getState().paste();
    s.getState().paste();
    const t = s.getState().doc.topology;
    expect(t.nodes).toHaveLength(10);
    expect(t.links).toHaveLength(6);
    const sel = s.getState().selection.nodes.map((id) => t.nodes.find((n) => n.id === id)!);
    expect(sel.map((n) => n.position.x).sort()).toEqual([40 + 80, 400 + 80]);
  });
});

describe("autosave", () => {
  it("debounces edits into one save and reports saved with the new revision", async () => {
    vi.useFakeTimers();
    const s = make();
    const save = vi.fn(async (_doc: DesignDocument, _base: number) => ({ revision: 2 }));
    const stop = attachAutosave(s, save, 100);
    s.getState().addFromTemplate(containerTpl, { x: 0, y: 0 });
    s.getState().addFromTemplate(containerTpl, { x: 0, y: 0 });
    expect(s.getState().saveStatus).toBe("saving");
    await vi.advanceTimersByTimeAsync(150);
    expect(save).toHaveBeenCalledTimes(1);
    expect(save.mock.calls[0]![1]).toBe(1);
    expect(s.getState()).toMatchObject({ saveStatus: "saved", revision: 2 });
    stop.dispose();
    vi.useRealTimers();
  });

  it("shows an error status when the server refuses, and keeps the edit", async () => {
    vi.useFakeTimers();
    const s = make();
    const stop = attachAutosave(s, async () => {
      throw new SaveError({ kind: "refused", status: 400, message: "/topology/nodes/0/name: is required" });
    }, 10);
    s.getState().rename("new name");
    await vi.advanceTimersByTimeAsync(50);
    expect(s.getState()).toMatchObject({ saveStatus: "error", saveError: "/topology/nodes/0/name: is required" });
    expect(s.getState().doc.name).toBe("new name");
    stop.dispose();
    vi.useRealTimers();
  });
});
