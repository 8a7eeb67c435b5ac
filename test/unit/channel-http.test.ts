import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { errorFromResponse, retryAfterMs } from "../../channels/http.js";
import { signature } from "../../channels/webhook.adapter.js";
import { backoffDelay } from "../../content/publishing/publisher.js";

describe("provider answers", () => {
  it("reads Retry-After in seconds and as an HTTP date", () => {
    expect(retryAfterMs("3")).toBe(3000);
    const now = Date.parse("2026-11-26T10:00:00Z");
    expect(retryAfterMs("Thu, 26 Nov 2026 10:00:05 GMT", now)).toBe(5000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs("soon")).toBeUndefined();
  });
  it.each([
    [429, "rate_limited"],
    [500, "channel_unavailable"],
    [503, "channel_unavailable"],
    [408, "channel_unavailable"],
    [400, "channel_rejected"],
    [422, "channel_rejected"],
  ])("maps HTTP %i to %s", async (status, code) => {
    const err = await errorFromResponse(new Response(JSON.stringify({ message: "lỗi" }), { status }), "the CMS");
    expect(err.code).toBe(code);
    expect(err.message).toContain("lỗi");
  });
  it("signs the raw body with HMAC-SHA256", () => {
    const expected = crypto.createHmac("sha256", "k").update('{"a":1}').digest("hex");
    expect(signature("k", '{"a":1}')).toBe(`sha256=${expected}`);
  });
  it("backs off exponentially and honours a longer Retry-After", () => {
    const policy = { missedAfterMs: 0, timeoutMs: 0, maxAttempts: 5, backoffMs: 1000 };
    expect([1, 2, 3, 4].map((n) => backoffDelay(policy, n))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffDelay(policy, 1, 30_000)).toBe(30_000);
  });
});
