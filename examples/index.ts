// The example designs: seeded as projects on first start and offered in
// "New from example". The first one is the sample project.
import type { DesignDocument } from "../lib/graph/types";
import sample from "./sample-csv-over-http.json";
import thumbnails from "./thumbnail-service.json";
import events from "./event-pipeline.json";
import web from "./web-shop-containers.json";

export interface Example {
  id: string;
  doc: DesignDocument;
}

export const examples: Example[] = [
  { id: "sample-csv-over-http", doc: sample as DesignDocument },
  { id: "thumbnail-service", doc: thumbnails as DesignDocument },
  { id: "event-pipeline", doc: events as DesignDocument },
  { id: "web-shop-containers", doc: web as DesignDocument },
];
