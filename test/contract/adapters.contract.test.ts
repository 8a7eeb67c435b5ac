import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../../content/errors.js";
import { adapterFor, type ContractCase, type ContractStub, type Failure, request } from "./contract.js";
import { facebookCase } from "./facebook.case.js";
import { webhookCase } from "./webhook.case.js";
import { wordpressCase } from "./wordpress.case.js";
import { youtubeCase } from "./youtube.case.js";
import { zaloCase } from "./zalo.case.js";

/** Every channel adapter, run against its provider's stub under the same expectations. */
const CASES: ContractCase[] = [webhookCase, wordpressCase, facebookCase, zaloCase, youtubeCase];

const errorOf = async (p: Promise<unknown>): Promise<AppError> => {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error("expected the call to fail");
};

describe.each(CASES)("the $kind adapter", (c) => {
  let stub: ContractStub;
  beforeAll(async () => {
    stub = await c.start();
  });
  afterAll(async () => {
    await stub?.stop();
  });

  const publish = (id = crypto.randomUUID(), ms = 5_000) => adapterFor(c, stub).publish(request(c, id), AbortSignal.timeout(ms));

  it("publishes and answers the provider's own id", async () => {
    const before = stub.created().length;
    const result = await publish();
    expect(stub.created()).toHaveLength(before + 1);
    expect(result.externalId).toBe(stub.created().at(-1));
  });

  it("finds nothing wrong with a plain request", () => {
    expect(adapterFor(c, stub).check(request(c, crypto.randomUUID()))).toEqual([]);
  });

  const expected: Record<Exclude<Failure, "hang">, string> = {
    rate_limited: "rate_limited",
    server_error: "channel_unavailable",
    rejected: "channel_rejected",
    expired_token: "auth_expired",
  };
  for (const failure of c.failures.filter((f): f is Exclude<Failure, "hang"> => f !== "hang")) {
    it(`maps the provider's ${failure} answer to ${expected[failure]}, with the provider's message`, async () => {
      stub.fail(failure);
      const err = await errorOf(publish());
      expect(err.code).toBe(expected[failure]);
      expect(err.message.length).toBeGreaterThan(10);
      const message = c.messages[failure];
      expect(message, `the ${c.kind} case names the provider's ${failure} message`).toBeTruthy();
      expect(err.message).toContain(message);
      if (failure === "rate_limited") expect(err.retryAfterMs).toBeGreaterThan(0);
    });
  }

  if (c.failures.includes("hang"))
    it("calls a hang past the timeout unconfirmed, and lookup finds what was created", async () => {
      const id = crypto.randomUUID();
      const before = stub.created().length;
      stub.fail("hang");
      expect((await errorOf(publish(id, 500))).code).toBe("channel_unconfirmed");
      const adapter = adapterFor(c, stub);
      expect(typeof adapter.lookup === "function", `the ${c.kind} adapter's lookup`).toBe(c.lookup);
      if (c.lookup) {
        const found = await adapter.lookup?.(id, AbortSignal.timeout(5_000));
        expect(found?.externalId).toBe(stub.created().at(-1));
        expect(stub.created()).toHaveLength(before + 1);
        expect(await adapter.lookup?.(crypto.randomUUID(), AbortSignal.timeout(5_000))).toBeUndefined();
      }
    });
});
