import { notFound } from "next/navigation";
import { Designer } from "@/components/designer/Designer";
import { projectRepo } from "@/lib/server/projects";

export const dynamic = "force-dynamic";

export default async function ProjectPage({ params }: { params: Promise<{ id: string }> }) {
  const r = projectRepo().getStored((await params).id);
  if (!r.ok) notFound();
  return <Designer projectId={r.value.id} docJson={r.value.docJson} revision={r.value.revision} />;
}
