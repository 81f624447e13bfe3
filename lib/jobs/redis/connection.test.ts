import { describe, expect, it } from "vitest";
import { parseQueueUrl } from "./connection";
import { RespParser } from "./resp-client";

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

describe("RESP2 replies", () => {
  it("parses every reply type, across arbitrary chunk boundaries", () => {
    const wire = Buffer.from("+OK\r\n-ERR bad thing\r\n:42\r\n$5\r\nhé\r\n\r\n$-1\r\n*3\r\n$1\r\na\r\n*-1\r\n*2\r\n:1\r\n-NOSCRIPT x\r\n*0\r\n");
    for (let cut = 1; cut < wire.length; cut++) {
      const p = new RespParser();
      const got = [...p.feed(wire.subarray(0, cut)), ...p.feed(wire.subarray(cut))];
      expect(got.map((v) => (v instanceof Error ? `E:${v.message}` : v)), `cut at ${cut}`).toEqual([
        "OK",
        "E:ERR bad thing",
        42,
        "hé\r\n", // a bulk string may hold CRLF: its length decides
        null,
        ["a", null, [1, expect.any(Error)]],
        [],
      ]);
    }
  });
});
