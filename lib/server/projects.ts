import { examples } from "../../examples";
import { getDb } from "../db";
import { ProjectRepo, type ProjectError } from "../projects/repo";

const g = globalThis as { __trellisRepo?: { db: unknown; repo: ProjectRepo } };

/** The process-wide project repo; seeds the examples into a fresh store. */
export function projectRepo(): ProjectRepo {
  const db = getDb();
  if (g.__trellisRepo?.db === db) return g.__trellisRepo.repo;
  const repo = new ProjectRepo(db);
  repo.seedOnce(examples.map((e) => e.doc));
  g.__trellisRepo = { db, repo };
  return repo;
}

const STATUS: Record<ProjectError["kind"], number> = {
  "not-found": 404,
  "invalid-document": 400,
  "invalid-name": 400,
  "revision-conflict": 409,
};

export function errorResponse(e: ProjectError): Response {
  return Response.json({ error: e }, { status: STATUS[e.kind] });
}

/** Reads a JSON body, or answers 400 with a message saying why it isn't one. */
export async function readJson(req: Request): Promise<{ ok: true; value: unknown } | { ok: false; response: Response }> {
  try {
    return { ok: true, value: await req.json() };
  } catch (e) {
    return {
      ok: false,
      response: Response.json({ error: { kind: "invalid-json", message: `the request body is not JSON: ${(e as Error).message}` } }, { status: 400 }),
    };
  }
}
