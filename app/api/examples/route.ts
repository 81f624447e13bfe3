import { examples } from "@/examples";
import { route } from "@/lib/server/edge";

export const GET = route({}, () => Response.json(examples.map((e) => ({ id: e.id, name: e.doc.name, description: e.doc.description ?? "" }))));
