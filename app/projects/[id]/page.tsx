import { preload } from "react-dom";
import { Designer } from "@/components/designer/Designer";
import { documentUrl } from "@/lib/store/document-client";

// The same page for every design but its id: rendered once per id, then served as a file, so a first
// load waits for no server render. The browser fetches the document (preloaded from the page's head)
// while it loads the scripts.
export const dynamic = "force-static";
export function generateStaticParams(): { id: string }[] {
  return [];
}

export default async function ProjectPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  preload(documentUrl(id), { as: "fetch", crossOrigin: "anonymous" });
  return <Designer projectId={id} />;
}
