import { examples } from "../../examples";
import { getDb } from "../db";
import { ProjectRepo } from "../projects/repo";

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
