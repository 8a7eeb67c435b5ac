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

  it("refuses a weak LOA_ADMIN_TOKEN, saying what a strong one is", () => {
    for (const weak of ["secret", "a".repeat(40), "0123456789".repeat(4), "abcdefghij-abcdefghij-abcdefghij-"]) {
      expect(() => loadConfig({ LOA_ADMIN_TOKEN: weak })).toThrow(
        /LOA_ADMIN_TOKEN: at least 32 characters with at least 10 different ones/,
      );
    }
    const strong = "m7Q2xRv9LpZ4wNs8TfYk3HcJ6dGb1Ue5";
    expect(loadConfig({ LOA_ADMIN_TOKEN: strong }).adminToken).toBe(strong);
    expect(loadConfig({ LOA_ADMIN_TOKEN: "" }).adminToken).toBeUndefined();
  });
  it("reads the credential and HTTP settings, with sane defaults", () => {
    const d = loadConfig({});
    expect(d.auth).toEqual({
      tokenTtlMs: 90 * 86_400_000,
      sessionTtlMs: 12 * 3_600_000,
      failures: { perIp: 20, perUser: 10, windowMs: 15 * 60_000 },
    });
    expect(d.http).toEqual({ trustProxy: false, requestTimeoutMs: 30 * 60_000, headersTimeoutMs: 20_000, maxConnections: 1000 });
    expect(d.media.quotaPerAgency).toBe(20 * 1024 ** 3);
    const c = loadConfig({
      API_TOKEN_TTL: "7d",
      TRUST_PROXY: "10.0.0.0/8, loopback",
      HTTP_MAX_CONNECTIONS: "50",
      MEDIA_QUOTA_PER_AGENCY: "5GB",
    });
    expect(c.auth.tokenTtlMs).toBe(7 * 86_400_000);
    expect(c.http.trustProxy).toBe("10.0.0.0/8, loopback");
    expect(c.http.maxConnections).toBe(50);
    expect(c.media.quotaPerAgency).toBe(5 * 1024 ** 3);
    expect(loadConfig({ TRUST_PROXY: "1" }).http.trustProxy).toBe(1);
    expect(() => loadConfig({ TRUST_PROXY: "everyone" })).toThrow(/TRUST_PROXY/);
    expect(() => loadConfig({ HTTP_HEADERS_TIMEOUT: "10m", HTTP_REQUEST_TIMEOUT: "1m" })).toThrow(/HTTP_HEADERS_TIMEOUT/);
  });
});
