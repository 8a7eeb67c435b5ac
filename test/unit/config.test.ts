import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../content/config.js";

describe("configuration", () => {
  it("runs on the embedded default with no environment at all", () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.database).toEqual({ kind: "sqlite", file: path.resolve("data/loa.db") });
    expect(c.redisUrl).toBe("redis://127.0.0.1:6379");
    expect(c.publish.missedAfterMs).toBe(24 * 3_600_000);
  });
  it("uses PostgreSQL when DATABASE_URL is set", () => {
    expect(loadConfig({ DATABASE_URL: "postgres://db/loa" }).database).toEqual({
      kind: "postgres",
      url: "postgres://db/loa",
      schema: "public",
    });
  });
  it("reads durations with units", () => {
    const c = loadConfig({ MISSED_AFTER: "90m", PUBLISH_TIMEOUT: "1500ms", PUBLISH_BACKOFF: "2" });
    expect(c.publish).toMatchObject({ missedAfterMs: 5_400_000, timeoutMs: 1500, backoffMs: 2 });
  });
  it("names every bad variable", () => {
    expect(() => loadConfig({ PORT: "eighty", MISSED_AFTER: "soon" })).toThrow(/PORT[\s\S]*MISSED_AFTER/);
  });
});
