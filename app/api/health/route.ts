import { dataDir } from "@/lib/db";
import { getJobQueue } from "@/lib/jobs";
import { route } from "@/lib/server/edge";
import { storageUsage } from "@/lib/storage/storage";

export const dynamic = "force-dynamic";

/** `{ ok, storage: { usedBytes, jobsBytes, componentsBytes, quotaBytes, retentionDays, jobs } }`. */
export const GET = route({}, async () => Response.json({ ok: true, storage: await storageUsage(dataDir(), getJobQueue()) }));
