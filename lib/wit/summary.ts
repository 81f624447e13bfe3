// A compact, JSON-friendly, span-free view of a resolved model: what golden
// tests compare and what `wit check --json`-style tooling can print.
import { defToString, funcToString, typeToString, type ResolvedInterface, type ResolvedWorld, type TypeEntry, type WitModel, type WorldEntry } from "./model";
import { portsFromWorld } from "./ports";

function typeLine(t: TypeEntry): string {
  const ty = t.type;
  const shape = "owner" in ty ? defToString(ty) : typeToString(ty);
  if (t.origin === "use") return `use ${t.from}.${t.fromName ?? t.name} = ${shape}`;
  if (t.origin === "alias") return `= ${"owner" in ty ? `${ty.name} (${shape})` : shape}`;
  return shape;
}

export interface InterfaceSummary {
  name: string;
  docs?: string;
  uses?: string[];
  types: Record<string, string>;
  functions: Record<string, string>;
}

export function summarizeInterface(i: ResolvedInterface): InterfaceSummary {
  const out: InterfaceSummary = { name: i.qualifiedName, types: {}, functions: {} };
  if (i.docs) out.docs = i.docs;
  if (i.uses.length) out.uses = i.uses;
  for (const t of i.types) out.types[t.name] = typeLine(t) + (t.docs ? `  /// ${t.docs.split("\n")[0]}` : "");
  for (const f of i.functions) out.functions[f.canonicalName] = funcToString(f) + (f.docs ? `  /// ${f.docs.split("\n")[0]}` : "");
  return out;
}

function entryLine(e: WorldEntry): string | { [name: string]: InterfaceSummary } {
  if (e.kind === "function") return `${e.key}: ${funcToString(e.func)}`;
  if (e.interface.inline) return { [e.key]: summarizeInterface(e.interface) };
  if (e.plainName !== undefined) return `${e.key}: ${e.interface.qualifiedName}`;
  return e.implicit ? `${e.key} (implicit)` : e.key;
}

export function summarizeWorld(w: ResolvedWorld) {
  return {
    name: w.qualifiedName,
    ...(w.docs ? { docs: w.docs } : {}),
    ...(w.types.length ? { types: Object.fromEntries(w.types.map((t) => [t.name, typeLine(t)])) } : {}),
    imports: w.imports.map(entryLine),
    exports: w.exports.map(entryLine),
    ports: portsFromWorld(w).map((p) => `${p.id} ${p.interface}`),
  };
}

export function summarizeModel(model: WitModel) {
  return {
    root: model.root ?? null,
    packages: model.packages.map((p) => ({
      name: p.name,
      ...(p.docs ? { docs: p.docs } : {}),
      interfaces: p.interfaces.map(summarizeInterface),
      worlds: p.worlds.map(summarizeWorld),
    })),
  };
}
