import { describe, expect, it } from "vitest";
import { parseQueueUrl } from "./connection";

describe("TRELLIS_QUEUE / --queue URLs", () => {
  it("reads host, port, user, password and database; the display form hides the password", () => {
    expect(parseQueueUrl("redis://ci:s%40cret@10.0.0.5:6380/2")).toEqual({
      ok: true,
      value: { host: "10.0.0.5", port: 6380, username: "ci", password: "s@cret", db: 2, display: "redis://ci:***@10.0.0.5:6380/2" },
    });
    expect(parseQueueUrl("redis://:pw@127.0.0.1")).toMatchObject({ ok: true, value: { host: "127.0.0.1", port: 6379, password: "pw", db: 0 } });
    expect(parseQueueUrl("redis://[::1]:7000")).toMatchObject({ ok: true, value: { host: "::1", port: 7000 } });
  });

  it("refuses other schemes, a missing host and a path that is not a database number", () => {
    for (const bad of ["rediss://h:1", "http://h:1", "redis://h:1/queue", "not a url", "redis://:pw@"]) {
      const r = parseQueueUrl(bad);
      expect(r.ok, bad).toBe(false);
      if (!r.ok) expect(r.error.kind).toBe("queue-url-invalid");
    }
    const r = parseQueueUrl("https://u:hunter2@h");
    expect(!r.ok && r.error.message).not.toContain("hunter2");
  });
});
