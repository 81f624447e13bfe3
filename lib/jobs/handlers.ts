import type { JobHandler } from "./protocol";
const handlers: Record<string, JobHandler> = {};
export default handlers;
