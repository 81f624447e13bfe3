import { ProjectList } from "@/components/projects/ProjectList";
import { examples } from "@/examples";
import { projectRepo } from "@/lib/server/projects";

export const dynamic = "force-dynamic";

export default function Home() {
  const projects = projectRepo().list();
  return <ProjectList initial={projects} examples={examples.map((e) => ({ id: e.id, name: e.doc.name }))} />;
}
