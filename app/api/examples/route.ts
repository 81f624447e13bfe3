import { examples } from "@/examples";

export function GET() {
  return Response.json(examples.map((e) => ({ id: e.id, name: e.doc.name, description: e.doc.description ?? "" })));
}
