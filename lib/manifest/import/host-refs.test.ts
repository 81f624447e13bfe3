import { describe, expect, it } from "vitest";
import { hostRefs } from "./host-refs";

describe("hostRefs", () => {
  it.each([
    ["db", [{ host: "db" }]],
    ["db:5432", [{ host: "db", port: 5432 }]],
    ["postgres://blog-db:5432/blog", [{ host: "blog-db", port: 5432 }, { host: "blog" }]],
    ["amqp://guest:guest@rabbitmq:5672/", [{ host: "rabbitmq", port: 5672 }]],
    ["cache.default.svc.cluster.local:6379", [{ host: "cache", port: 6379 }]],
    ["http://${HOST}:${PORT}", [{ host: "HOST" }, { host: "PORT" }]],
    ["a,b;c", [{ host: "a" }, { host: "b" }, { host: "c" }]],
    ["x:99999", [{ host: "x" }]],
  ])("%s", (value, refs) => {
    expect(hostRefs(value)).toEqual(refs);
  });
  it("a URL scheme is not a host", () => {
    expect(hostRefs("redis://cache").map((r) => r.host)).toEqual(["cache"]);
  });
});
