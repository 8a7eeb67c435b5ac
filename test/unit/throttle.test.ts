import { describe, expect, it } from "vitest";
import { AppError } from "../../content/errors.js";
import { addressKey, createAuthThrottle } from "../../server/throttle.js";

const refused = async (p: Promise<void>) => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  return err instanceof AppError ? { code: err.code, message: err.message, retryAfterMs: err.retryAfterMs } : err;
};

describe("the failed-authentication throttle", () => {
  it("counts an address by itself, IPv4-mapped IPv6 as IPv4, and IPv6 by its /64", () => {
    expect(addressKey("203.0.113.7")).toBe("203.0.113.7");
    expect(addressKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(addressKey("2001:db8:aa:bb:1:2:3:4")).toBe("2001:db8:aa:bb::/64");
    expect(addressKey("2001:db8:aa:bb::9")).toBe("2001:db8:aa:bb::/64");
    expect(addressKey("2001:0db8::1")).toBe("2001:db8:0:0::/64");
    expect(addressKey("::1")).toBe("0:0:0:0::/64");
  });

  it("blocks a user name tried too often from any address (the coming password sign-in); a success forgets its failures", async () => {
    const t = createAuthThrottle(undefined, "unit", { perIp: 100, perUser: 3, windowMs: 60_000 });
    const attempt = async (i: number, name: string) => {
      await t.check({ ip: `198.51.100.${i}`, userName: name });
      await t.fail({ ip: `198.51.100.${i}`, userName: name });
    };
    // Two mistakes, then the right password: the count starts again.
    await attempt(1, "nguyen.van.an");
    await attempt(2, "nguyen.van.an");
    await t.succeed({ ip: "198.51.100.2", userName: "nguyen.van.an" });
    for (let i = 0; i < 3; i++) await attempt(10 + i, "Nguyen.Van.An");
    const blocked = await refused(t.check({ ip: "198.51.100.99", userName: "nguyen.van.an" }));
    expect(blocked).toMatchObject({ code: "rate_limited", message: expect.stringMatching(/for this user name: try again in 60 s/) });
    // Another user name from the same addresses is not affected.
    expect(await refused(t.check({ ip: "198.51.100.10", userName: "tran.thi.binh" }))).toBeUndefined();
  });

  it("blocks an address after its failures whatever the user names, with the time left", async () => {
    const t = createAuthThrottle(undefined, "unit", { perIp: 2, perUser: 100, windowMs: 30_000 });
    await t.fail({ ip: "192.0.2.1", userName: "a" });
    await t.fail({ ip: "192.0.2.1", userName: "b" });
    const blocked = await refused(t.check({ ip: "192.0.2.1", userName: "c" }));
    expect(blocked).toMatchObject({ code: "rate_limited", retryAfterMs: 30_000 });
    expect(await refused(t.check({ ip: "192.0.2.2" }))).toBeUndefined();
  });
});
