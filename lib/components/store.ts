// Uploaded components: one row each in SQLite (metadata, WIT, ports) and the
// bytes in `$TRELLIS_DATA_DIR/components/<id>.wasm`.
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Db } from "../db";
import type { IngestedWasm, UploadKind, WasmFacts } from "./ingest";

/** What `GET /api/components` lists and the palette shows. */
export interface UploadedComponent extends WasmFacts {
  id: string;
  name: string;
  fileName: string;
  bytes: number;
  sha256: string;
  createdAt: string;
  /** `config.source` of nodes made from it. */
  source: `upload:${string}`;
  wasmUrl: string;
}

interface Row {
  id: string;
  name: string;
  file_name: string;
  kind: UploadKind;
  bytes: number;
  sha256: string;
  info: string;
  created_at: string;
}

type Info = Pick<UploadedComponent, "wit" | "world" | "ports" | "witErrors" | "core" | "note">;

const ID_RE = /^c-[a-f0-9]{16}$/;

export function validComponentId(id: string): boolean {
  return ID_RE.test(id);
}

/** `My Filter v2.wasm` → `my-filter-v2`: a node name that manifests accept. */
export function componentName(fileName: string): string {
  const base = fileName.replace(/^.*[\\/]/, "").replace(/\.wasm$/i, "");
  const name = base.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60).replace(/-+$/, "");
  return /^[a-z]/.test(name) ? name : `component${name ? `-${name}` : ""}`;
}

export class ComponentStore {
  constructor(
    private readonly db: Db,
    private readonly dir: string,
  ) {}

  private toComponent(r: Row): UploadedComponent {
    const info = JSON.parse(r.info) as Info;
    return {
      id: r.id,
      name: r.name,
      fileName: r.file_name,
      kind: r.kind,
      bytes: r.bytes,
      sha256: r.sha256,
      createdAt: r.created_at,
      ...info,
      source: `upload:${r.id}`,
      wasmUrl: `/api/components/${r.id}/wasm`,
    };
  }

  /** Writes the bytes first (atomically), then the row: a listed component always has its file. */
  add(fileName: string, w: IngestedWasm): UploadedComponent {
    const id = `c-${randomBytes(8).toString("hex")}`;
    mkdirSync(this.dir, { recursive: true });
    const file = this.file(id);
    const tmp = `${file}.tmp-${process.pid}`;
    writeFileSync(tmp, w.bytes);
    renameSync(tmp, file);
    const info: Info = { wit: w.wit, world: w.world, ports: w.ports, witErrors: w.witErrors, core: w.core, note: w.note };
    const row: Row = {
      id,
      name: componentName(fileName),
      file_name: fileName.replace(/^.*[\\/]/, "").slice(0, 200),
      kind: w.kind,
      bytes: w.bytes.length,
      sha256: createHash("sha256").update(w.bytes).digest("hex"),
      info: JSON.stringify(info),
      created_at: new Date().toISOString(),
    };
    try {
      this.db
        .prepare("INSERT INTO components (id, name, file_name, kind, bytes, sha256, info, created_at) VALUES (@id, @name, @file_name, @kind, @bytes, @sha256, @info, @created_at)")
        .run(row);
    } catch (e) {
      rmSync(file, { force: true });
      throw e;
    }
    return this.toComponent(row);
  }

  list(): UploadedComponent[] {
    return (this.db.prepare("SELECT * FROM components ORDER BY created_at, id").all() as Row[]).map((r) => this.toComponent(r));
  }

  get(id: string): UploadedComponent | undefined {
    if (!validComponentId(id)) return undefined;
    const r = this.db.prepare("SELECT * FROM components WHERE id = ?").get(id) as Row | undefined;
    return r && this.toComponent(r);
  }

  /** The stored bytes, or undefined when the id is unknown or its file is gone. */
  readWasm(id: string): Uint8Array | undefined {
    if (!this.get(id)) return undefined;
    try {
      return new Uint8Array(readFileSync(this.file(id)));
    } catch {
      return undefined;
    }
  }

  remove(id: string): boolean {
    if (!validComponentId(id)) return false;
    const n = this.db.prepare("DELETE FROM components WHERE id = ?").run(id).changes;
    rmSync(this.file(id), { force: true });
    return n > 0;
  }

  private file(id: string): string {
    return join(this.dir, `${id}.wasm`);
  }
}
