// One store per designer, made by this factory and handed down by context.
// The store is the only place that calls set(); all edits go through lib/graph ops.
import { createStore, type StoreApi } from "zustand/vanilla";
import type { LinkError, NodeError } from "../graph/errors";
import {
  addNode,
  connect as connectOp,
  copySelection,
  createId,
  moveNodes,
  paste as pasteOp,
  removeElements,
  convertToCompiled as convertOp,
  keepAsContainer as keepOp,
  type CompiledFacts,
  updateNode as updateNodeOp,
  type Clipboard,
  type InterfaceChecker,
  type NodePatch,
} from "../graph/ops";
import { instantiate, type NodeTemplate } from "../graph/factory";
import { currentWitChecker, WIT_PENDING_MESSAGE, witSupport } from "./wit-support";
import type { DesignDocument, LinkEnd, Topology } from "../graph/types";

export type SaveStatus = "saved" | "saving" | "error" | "conflict";

/** The last refused edit, shown to the user with the culprits highlighted. */
export interface Notice {
  level: "error" | "info";
  message: string;
  kind?: string;
  nodeIds?: string[];
  linkIds?: string[];
  /** Where the action happened, so its toast shows there (default: the canvas). */
  anchor?: NoticeAnchor;
}

export type NoticeAnchor = "canvas" | "palette" | "toolbar" | { x: number; y: number };

export interface Selection {
  nodes: string[];
  links: string[];
}

export interface DesignerState {
  projectId: string;
  doc: DesignDocument;
  revision: number;
  past: Topology[];
  future: Topology[];
  selection: Selection;
  saveStatus: SaveStatus;
  saveError?: string;
  /** "network" errors retry by themselves; "refused" ones wait for the user. */
  saveErrorKind?: "network" | "refused";
  /** The server has a newer revision than the one these edits started from. */
  conflict?: { current: number; message: string };
  /** Bumped to ask autosave to try again now. */
  saveRequest: number;
  notice?: Notice;
  clipboard?: Clipboard;
  pasteCount: number;
  checker: InterfaceChecker;

  addFromTemplate(template: NodeTemplate, position: { x: number; y: number }): string | null;
  connect(from: LinkEnd, to: LinkEnd): LinkError | null;
  /**
   * Commits where dragged nodes were dropped, as one undo step. The canvas calls it once, at
   * drag stop: the frames in between are React Flow's, so no edit, save or check runs per frame.
   */
  moveNodes(positions: Record<string, { x: number; y: number }>): void;
  setSelection(sel: Selection): void;
  deleteSelection(): void;
  deleteElements(nodeIds: string[], linkIds: string[]): void;
  updateNode(id: string, patch: NodePatch): NodeError | null;
  copy(): void;
  paste(): void;
  /** Copies these nodes (and the wires among them) beside the originals, in one step, leaving the clipboard alone. */
  duplicate(nodeIds: string[]): void;
  undo(): void;
  redo(): void;
  /** Applies a whole new topology as one undoable step (layout, import). */
  replaceTopology(t: Topology, message?: string): void;
  replaceDocument(doc: DesignDocument): void;
  rename(name: string): void;
  setChecker(checker: InterfaceChecker): void;
  /** A compile succeeded: the container node becomes a compiled container (one undo step). */
  convertToCompiled(nodeId: string, facts: CompiledFacts): NodeError | null;
  keepAsContainer(nodeId: string): NodeError | null;
  notify(notice: Notice | undefined): void;
  markSaving(): void;
  markSaved(revision: number): void;
  markSaveError(message: string, kind?: "network" | "refused"): void;
  markConflict(current: number, message: string): void;
  /** Try the save again now (after an error). */
  requestSave(): void;
  /** Keep these edits: save them over the server's revision `current`. */
  keepMine(current: number): void;
  /** Drop these edits for the server's document. */
  takeTheirs(doc: DesignDocument, revision: number): void;
}

export type DesignerStore = StoreApi<DesignerState>;

const HISTORY_LIMIT = 200;

export function createDesignerStore(init: { projectId: string; doc: DesignDocument; revision: number; checker?: InterfaceChecker }): DesignerStore {
  return createStore<DesignerState>()((set, get) => {
    /** Commits a new topology as one history step. */
    const commit = (topology: Topology, extra: Partial<DesignerState> = {}) => {
      const { doc, past } = get();
      if (topology === doc.topology) return;
      set({
        doc: { ...doc, topology },
        past: [...past, doc.topology].slice(-HISTORY_LIMIT),
        future: [],
        ...extra,
      });
    };
    const prune = (sel: Selection, t: Topology): Selection => {
      const nodes = new Set(t.nodes.map((n) => n.id));
      const links = new Set(t.links.map((l) => l.id));
      return { nodes: sel.nodes.filter((id) => nodes.has(id)), links: sel.links.filter((id) => links.has(id)) };
    };

    return {
      projectId: init.projectId,
      doc: init.doc,
      revision: init.revision,
      past: [],
      future: [],
      selection: { nodes: [], links: [] },
      saveStatus: "saved",
      saveRequest: 0,
      pasteCount: 0,
      // The WIT checker once it has loaded (see wit-support.ts); the designer sets it then.
      checker: init.checker ?? currentWitChecker(),

      addFromTemplate(template, position) {
        const node = instantiate(template, createId(template.kind), position);
        // Names are unique so manifests get distinct object names.
        const names = new Set(get().doc.topology.nodes.map((n) => n.name));
        for (let i = 2; names.has(node.name); i++) node.name = `${template.name}-${i}`;
        const r = addNode(get().doc.topology, node);
        if (!r.ok) {
          set({ notice: { level: "error", kind: r.error.kind, message: r.error.message } });
          return null;
        }
        commit(r.value, { selection: { nodes: [node.id], links: [] }, notice: undefined });
        return node.id;
      },

      connect(from, to) {
        const r = connectOp(get().doc.topology, from, to, { checker: get().checker });
        if (!r.ok) {
          set({ notice: { level: "error", kind: r.error.kind, message: r.error.message, nodeIds: [from.node, to.node] } });
          return r.error;
        }
        commit(r.value, { notice: undefined });
        return null;
      },

      moveNodes(positions) {
        if (Object.keys(positions).length === 0) return;
        commit(moveNodes(get().doc.topology, positions));
      },

      setSelection(sel) {
        const cur = get().selection;
        if (same(cur.nodes, sel.nodes) && same(cur.links, sel.links)) return;
        set({ selection: sel });
      },

      deleteSelection() {
        const { selection } = get();
        get().deleteElements(selection.nodes, selection.links);
      },

      deleteElements(nodeIds, linkIds) {
        const t = removeElements(get().doc.topology, nodeIds, linkIds);
        commit(t, { selection: prune(get().selection, t) });
      },

      updateNode(id, patch) {
        const t = get().doc.topology;
        const node = t.nodes.find((n) => n.id === id);
        if (node?.kind === "component" && patch.config && ("wit" in patch.config || "world" in patch.config || "witFeatures" in patch.config) && !patch.ports) {
          // A WIT edit re-derives the ports; a WIT with errors keeps the old ones. The WIT editor
          // loads the analyzer before it opens, so it is here unless the edit came some other way.
          const wit = witSupport();
          if (!wit) {
            const error: NodeError = { kind: "invalid-field", nodeId: id, field: "wit", message: WIT_PENDING_MESSAGE };
            set({ notice: { level: "error", kind: error.kind, message: error.message, nodeIds: [id] } });
            return error;
          }
          const edited = { ...node, config: { ...node.config, ...patch.config } };
          patch = { ...patch, ports: wit.portsAfterWitEdit(edited, t.links).ports };
        }
        const r = updateNodeOp(t, id, patch);
        if (!r.ok) {
          set({ notice: { level: "error", kind: r.error.kind, message: r.error.message, nodeIds: [id] } });
          return r.error;
        }
        const removed = r.value.removedLinks;
        commit(r.value.topology, {
          notice: removed.length
            ? { level: "info", message: `removed ${removed.length} wire(s) whose port no longer exists`, nodeIds: [id] }
            : undefined,
        });
        return null;
      },

      copy() {
        const { doc, selection } = get();
        if (selection.nodes.length === 0) return;
        set({ clipboard: copySelection(doc.topology, selection.nodes), pasteCount: 0 });
      },

      paste() {
        const { clipboard, pasteCount, doc } = get();
        if (!clipboard || clipboard.nodes.length === 0) return;
        const step = (pasteCount + 1) * 40;
        const r = pasteOp(doc.topology, clipboard, { x: step, y: step });
        commit(r.topology, { selection: { nodes: r.nodeIds, links: [] }, pasteCount: pasteCount + 1 });
      },

      duplicate(nodeIds) {
        const { doc } = get();
        if (nodeIds.length === 0) return;
        const r = pasteOp(doc.topology, copySelection(doc.topology, nodeIds), { x: 40, y: 40 });
        commit(r.topology, { selection: { nodes: r.nodeIds, links: [] } });
      },

      undo() {
        const { past, future, doc, selection } = get();
        const prev = past[past.length - 1];
        if (!prev) return;
        set({
          doc: { ...doc, topology: prev },
          past: past.slice(0, -1),
          future: [doc.topology, ...future],
          selection: prune(selection, prev),
        });
      },

      redo() {
        const { past, future, doc, selection } = get();
        const next = future[0];
        if (!next) return;
        set({
          doc: { ...doc, topology: next },
          past: [...past, doc.topology],
          future: future.slice(1),
          selection: prune(selection, next),
        });
      },

      replaceTopology(t, message) {
        commit(t, { selection: prune(get().selection, t), notice: message ? { level: "info", message } : undefined });
      },

      replaceDocument(doc) {
        const cur = get().doc;
        commit(doc.topology, { selection: { nodes: [], links: [] } });
        set({ doc: { ...doc, name: cur.name, topology: get().doc.topology } });
      },

      rename(name) {
        if (name.trim() === "") return;
        set({ doc: { ...get().doc, name: name.trim() } });
      },

      convertToCompiled(nodeId, facts) {
        const r = convertOp(get().doc.topology, nodeId, facts);
        if (!r.ok) return r.error;
        commit(r.value);
        return null;
      },

      keepAsContainer(nodeId) {
        const r = keepOp(get().doc.topology, nodeId);
        if (!r.ok) return r.error;
        commit(r.value);
        return null;
      },

      setChecker(checker) {
        set({ checker });
      },

      notify(notice) {
        set({ notice });
      },

      markSaving() {
        set({ saveStatus: "saving", saveError: undefined, saveErrorKind: undefined });
      },
      markSaved(revision) {
        set({ saveStatus: "saved", revision, saveError: undefined, saveErrorKind: undefined });
      },
      markSaveError(message, kind = "refused") {
        set({ saveStatus: "error", saveError: message, saveErrorKind: kind });
      },
      markConflict(current, message) {
        set({ saveStatus: "conflict", conflict: { current, message }, saveError: message, saveErrorKind: undefined });
      },
      requestSave() {
        set({ saveRequest: get().saveRequest + 1 });
      },
      keepMine(current) {
        set({ conflict: undefined, revision: current, saveRequest: get().saveRequest + 1 });
      },
      takeTheirs(doc, revision) {
        set({
          conflict: undefined,
          doc,
          revision,
          past: [],
          future: [],
          selection: { nodes: [], links: [] },
          saveStatus: "saved",
          saveError: undefined,
          saveErrorKind: undefined,
        });
      },
    };
  });
}

function same(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export { attachAutosave, SaveError, type Autosave, type SaveFailure, type SaveFn } from "./autosave";
