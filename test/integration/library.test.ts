// The shared library (plan tasks 6.1, 6.2): DOST publishes, a commune copies (provenance kept), DOST
// sees the reuse; search ignores Vietnamese diacritics; the validity window and withdrawal.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DB_KINDS } from "../helpers/db.js";
import { startHub, type TestHub } from "../helpers/hub.js";

const DOST = "so-khcn";
const PRESS = "dai-ptth-can-tho";

describe.each(DB_KINDS)("the shared library on %s", (kind) => {
  let hub: TestHub;
  const now = new Date("2026-12-01T09:00:00+07:00");
  const tokens: Record<"dost" | "press" | "commune", string> = { dost: "", press: "", commune: "" };
  let commune = "";
  let materialId = "";
  let sourceItem = "";
  const ok = <T>(res: { status: number; body: T }, what: string): T => {
    if (res.status >= 300) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };

  beforeAll(async () => {
    hub = await startHub(kind, { roles: ["web"], clock: { now: () => now } });
    commune = ok(await hub.api("GET", "/api/agencies"), "agencies").data.find(
      (a: { kind: string; validTo: string | null }) => a.kind === "commune" && !a.validTo,
    ).id;
    const user = async (agencyId: string) =>
      ok(await hub.api("POST", "/api/users", { name: `Cán bộ ${agencyId}`, role: "officer", agencyId }), "user").token as string;
    tokens.dost = await user(DOST);
    tokens.press = await user(PRESS);
    tokens.commune = await user(commune);
    sourceItem = ok(
      await hub.api(
        "POST",
        "/api/items",
        {
          agencyId: DOST,
          kind: "news",
          title: "Hướng dẫn sử dụng dịch vụ công trực tuyến",
          body: "Các bước đăng ký tài khoản trên Cổng dịch vụ công quốc gia.",
          tasks: ["1.3"],
          variants: { facebook_page: { body: "Đăng ký tài khoản dịch vụ công chỉ trong 5 phút!" } },
        },
        tokens.dost,
      ),
      "item",
    ).id;
  }, 60_000);
  afterAll(async () => {
    await hub?.stop();
  });

  it("lets DOST publish a material, and refuses a press agency", async () => {
    const m = ok(
      await hub.api(
        "POST",
        "/api/library",
        {
          itemId: sourceItem,
          topics: ["Chuyển đổi số", "Dịch vụ công"],
          validFrom: "2026-11-01",
          validTo: "2026-12-31",
          summary: "Tài liệu dùng chung",
        },
        tokens.dost,
      ),
      "publish",
    );
    expect(m).toMatchObject({
      agencyId: DOST,
      title: "Hướng dẫn sử dụng dịch vụ công trực tuyến",
      topics: ["Chuyển đổi số", "Dịch vụ công"],
    });
    materialId = m.id;
    const pressItem = ok(
      await hub.api("POST", "/api/items", { agencyId: PRESS, kind: "news", title: "Tin", body: "Nội dung" }, tokens.press),
      "item",
    ).id;
    const refused = await hub.api("POST", "/api/library", { itemId: pressItem, topics: ["x"], validFrom: "2026-11-01" }, tokens.press);
    expect(refused.status).toBe(403);
    expect(refused.body.field).toBe("itemId");
    // Another agency's item is an unknown one.
    expect(
      (await hub.api("POST", "/api/library", { itemId: sourceItem, topics: ["x"], validFrom: "2026-11-01" }, tokens.press)).status,
    ).toBe(404);
  });

  it("finds it without diacritics: dich vu cong finds dịch vụ công; topics match likewise", async () => {
    const find = async (query: string) =>
      ok(await hub.api("GET", `/api/library?${query}`, undefined, tokens.commune), "search").data.map((m: { id: string }) => m.id);
    expect(await find("q=dich%20vu%20cong")).toEqual([materialId]);
    expect(await find(`q=${encodeURIComponent("DỊCH VỤ CÔNG")}`)).toEqual([materialId]);
    expect(await find("q=dang%20ky%20tai%20khoan")).toEqual([materialId]);
    expect(await find("q=dich%20vu%20y%20te")).toEqual([]);
    expect(await find("q=100%25")).toEqual([]);
    expect(await find("q=dich_vu")).toEqual([]);
    expect(await find("topic=chuyen%20doi%20so")).toEqual([materialId]);
    expect(await find("topic=chuyen")).toEqual([]);
  });

  it("copies a material into a commune's draft keeping the link to its source, and counts the reuse for DOST", async () => {
    const copy = ok(await hub.api("POST", `/api/library/${materialId}/copy`, { agencyId: commune }, tokens.commune), "copy");
    expect(copy).toMatchObject({
      agencyId: commune,
      status: "draft",
      title: "Hướng dẫn sử dụng dịch vụ công trực tuyến",
      tasks: ["1.3"],
      sourceMaterialId: materialId,
      variants: { facebook_page: { body: "Đăng ký tài khoản dịch vụ công chỉ trong 5 phút!" } },
    });
    expect(copy.id).not.toBe(sourceItem);
    // A commune may not copy into another agency.
    expect((await hub.api("POST", `/api/library/${materialId}/copy`, { agencyId: DOST }, tokens.commune)).status).toBe(403);
    const before = ok(await hub.api("GET", `/api/library/${materialId}/reuse`, undefined, tokens.dost), "reuse");
    expect(before).toMatchObject({ copies: 1, publications: 0, agencies: [{ agencyId: commune, copies: 1, publications: 0 }] });
    ok(
      await hub.api(
        "POST",
        "/api/publications",
        { itemId: copy.id, channelKind: "loudspeaker", publishedAt: "2026-12-01T06:00:00+07:00" },
        tokens.commune,
      ),
      "publication",
    );
    const after = ok(await hub.api("GET", `/api/library/${materialId}/reuse`, undefined, tokens.dost), "reuse");
    expect(after).toMatchObject({ copies: 1, publications: 1, agencies: [{ agencyId: commune, copies: 1, publications: 1 }] });
    // The reuse is the publisher's to see.
    expect((await hub.api("GET", `/api/library/${materialId}/reuse`, undefined, tokens.press)).status).toBe(404);
  });

  it("shows only materials in their validity window, and none once withdrawn", async () => {
    const later = ok(
      await hub.api(
        "POST",
        "/api/library",
        { itemId: sourceItem, topics: ["Ngày Chuyển đổi số 10/10"], validFrom: "2027-09-01" },
        tokens.dost,
      ),
      "later",
    );
    const ids = async (q = "") =>
      ok(await hub.api("GET", `/api/library${q}`, undefined, tokens.commune), "list").data.map((m: { id: string }) => m.id);
    expect(await ids()).toEqual([materialId]);
    expect((await ids("?all=true")).sort()).toEqual([later.id, materialId].sort());
    expect((await hub.api("POST", `/api/library/${later.id}/copy`, { agencyId: commune }, tokens.commune)).status).toBe(409);
    expect((await hub.api("DELETE", `/api/library/${materialId}`, undefined, tokens.commune)).status).toBe(404);
    ok(await hub.api("DELETE", `/api/library/${materialId}`, undefined, tokens.dost), "withdraw");
    expect(await ids()).toEqual([]);
    expect((await hub.api("POST", `/api/library/${materialId}/copy`, { agencyId: commune }, tokens.commune)).status).toBe(409);
  });
});
