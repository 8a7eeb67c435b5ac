// The authorization matrix, generated from the route table: every route × every role × a resource of
// the caller's agency and of another agency × no token and a bad token. A route without an entry here
// fails the test, and so does an entry without a route.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Role } from "../../content/model.js";
import { routeTable } from "../../server/app.js";
import { startHub, type TestHub } from "../helpers/hub.js";
import { type Answer, buildWorld, pool, ROUTE_CASES, type Scope, send, WORLD_ENV, type World } from "../helpers/world.js";
import { WebhookStub } from "../stubs/webhook.stub.js";

/** One status, or [for a resource of the caller's own agency, for another agency's]. */
type Outcome = number | readonly [own: number, other: number];
/** `none`: no token; `bad`: an unknown token; `deactivated`: the token of a user an admin deactivated. */
type Expectation = Record<Role, Outcome> & { none: number; bad: number; deactivated: number };

const signedIn = (e: Record<Role, Outcome>): Expectation => ({ ...e, none: 401, bad: 401, deactivated: 401 });
/** Anyone signed in. */
const anyone = (ok: number) => signedIn({ admin: ok, auditor: ok, officer: ok, broadcaster: ok, approver: ok });
const adminOnly = (ok: number) => signedIn({ admin: ok, auditor: 403, officer: 403, broadcaster: 403, approver: 403 });
/** A resource read by id: another agency's does not exist for an officer (nor for an approver, who reads as an officer does). */
const read = (ok = 200) => signedIn({ admin: ok, auditor: ok, officer: [ok, 404], broadcaster: 403, approver: [ok, 404] });
/** A list, or a read of what every reader shares: an officer's answer is narrowed to their agency (checked for leaks below). */
const list = (ok = 200) => signedIn({ admin: ok, auditor: ok, officer: ok, broadcaster: 403, approver: ok });
/** A change of a resource addressed by id: another agency's is not found, before anything else; approvers change nothing but their decisions. */
const writeById = (ok: number) => signedIn({ admin: ok, auditor: 403, officer: [ok, 404], broadcaster: 403, approver: [403, 404] });
/** A change for the agency named in the request: an officer may act for their own only. */
const writeFor = (ok: number) => signedIn({ admin: ok, auditor: 403, officer: [ok, 403], broadcaster: 403, approver: [403, 403] });
/** Outgoing webhooks: admins and officers (their agency's) manage them; no one else sees them. */
const managers = (ok: number) => signedIn({ admin: ok, auditor: 403, officer: [ok, 404], broadcaster: 403, approver: 403 });

/** A campaign's pause, resume and cancel: its agency's officers and admins; an approver is refused before any lookup. */
const campaignSteer = signedIn({ admin: 200, auditor: 403, officer: [200, 404], broadcaster: 403, approver: 403 });

/** What a serious product must answer, keyed `METHOD path` as the route table declares each route. */
const EXPECT: Record<string, Expectation> = {
  "GET /api/me": anyone(200),
  "GET /api/users": adminOnly(200),
  "POST /api/users": adminOnly(201),
  "PATCH /api/users/:id": adminOnly(200),
  "GET /api/agencies": anyone(200),
  "POST /api/agencies": adminOnly(201),
  "PATCH /api/agencies/:id": adminOnly(200),
  "GET /api/tokens": anyone(200),
  "POST /api/tokens": anyone(201),
  // Another user's token: only an admin may revoke it; for anyone else it does not exist.
  "DELETE /api/tokens/:id": signedIn({ admin: 200, auditor: 404, officer: 404, broadcaster: 404, approver: 404 }),
  "GET /api/channels": list(),
  "POST /api/channels": writeFor(201),
  "GET /api/channels/:id/connect": writeById(200),
  "GET /api/channels/:id": read(),
  "GET /api/items": list(),
  "POST /api/items": writeFor(201),
  "GET /api/items/:id": read(),
  "GET /api/items/:id/preview": read(),
  "POST /api/items/:id/schedule": writeById(201),
  // The items are named in the body: another agency's item does not exist for an officer.
  "POST /api/schedule": writeById(201),
  "POST /api/media": writeFor(202),
  "GET /api/media": list(),
  "GET /api/media/:id": read(),
  "GET /api/media/:id/file": read(),
  "GET /api/media/:id/variants/:name": read(),
  "POST /api/media/:id/cancel": writeById(200),
  "DELETE /api/media/:id": writeById(204),
  "GET /api/items/:id/media": read(),
  "POST /api/items/:id/media": writeById(200),
  "PUT /api/agencies/:id/logo": writeFor(204),
  "GET /api/deliveries": list(),
  "GET /api/deliveries/:id": read(),
  "DELETE /api/deliveries/:id": writeById(200),
  "PATCH /api/deliveries/:id": writeById(200),
  "POST /api/deliveries/:id/retry": writeById(200),
  "GET /api/compliance": read(),
  "GET /api/compliance/agencies/:id": read(),
  "GET /api/compliance/exemptions": list(),
  "POST /api/compliance/exemptions": adminOnly(201),
  "DELETE /api/compliance/exemptions/:id": adminOnly(204),
  "GET /api/obligations": list(),
  "GET /api/obligations/:task": list(),
  "POST /api/obligations": adminOnly(201),
  "PATCH /api/obligations/:task": adminOnly(200),
  "GET /api/notifications": list(),
  "GET /api/reports/annual": list(),
  "GET /api/publications": list(),
  // The item is named in the body: another agency's item does not exist for an officer.
  "POST /api/publications": writeById(201),
  "GET /api/publications/:id": read(),
  "DELETE /api/publications/:id": writeById(204),
  // Only writers get their raw body read (the guard runs first): an approver is refused before the lookup.
  "PUT /api/publications/:id/evidence": { ...writeById(200), approver: 403 },
  "GET /api/publications/:id/evidence": read(),
  // Stations and boards: an officer's agency's, a broadcaster's own (another agency's does not exist for them).
  "GET /api/broadcast/stations": anyone(200),
  "GET /api/broadcast/stations/:id/weeks/:week": signedIn({
    admin: 200,
    auditor: 200,
    officer: [200, 404],
    broadcaster: [200, 404],
    approver: [200, 404],
  }),
  "GET /api/broadcast/stations/:id/weeks/:week/items/:file": signedIn({
    admin: 200,
    auditor: 200,
    officer: [200, 404],
    broadcaster: [200, 404],
    approver: [200, 404],
  }),
  "GET /api/broadcast/stations/:id/weeks/:week/aired": signedIn({
    admin: 200,
    auditor: 200,
    officer: [200, 404],
    broadcaster: [200, 404],
    approver: [200, 404],
  }),
  // Only the station's broadcaster confirms what was aired (the officer self-reports evidence instead).
  "POST /api/broadcast/stations/:id/weeks/:week/aired": signedIn({
    admin: 403,
    auditor: 403,
    officer: [403, 404],
    broadcaster: [201, 404],
    approver: [403, 404],
  }),
  "GET /api/items/:id/broadcast": read(),
  "PUT /api/items/:id/broadcast": writeById(200),
  "GET /api/boards/:id/playlist": signedIn({
    admin: 200,
    auditor: 200,
    officer: [200, 404],
    broadcaster: [200, 404],
    approver: [200, 404],
  }),
  "GET /api/boards/:id/slides/:file": signedIn({
    admin: 200,
    auditor: 200,
    officer: [200, 404],
    broadcaster: [200, 404],
    approver: [200, 404],
  }),
  "GET /api/programmes/weeks/:week": signedIn({
    admin: 200,
    auditor: 200,
    officer: [200, 404],
    broadcaster: [200, 404],
    approver: [200, 404],
  }),
  "GET /api/programmes/:id/rundown": read(),
  "PUT /api/programmes/:id/rundown": writeById(200),
  "POST /api/text/read-aloud": anyone(200),
  // The web app's sign-in is open (a token sent with it changes nothing); signing out always succeeds.
  "POST /api/session": { admin: 200, auditor: 200, officer: 200, broadcaster: 200, approver: 200, none: 200, bad: 200, deactivated: 200 },
  "DELETE /api/session": anyone(204),
  // Token users have no password: the current password given cannot match.
  "POST /api/me/password": anyone(422),
  "PUT /api/users/:id/password": adminOnly(200),
  "GET /api/calendar": read(),
  "POST /api/items/:id/recurrences": writeById(201),
  "GET /api/recurrences": list(),
  "GET /api/recurrences/:id": read(),
  "DELETE /api/recurrences/:id": writeById(200),
  "GET /api/calendar/feeds": list(),
  "POST /api/calendar/feeds": writeFor(201),
  "DELETE /api/calendar/feeds/:id": writeById(200),
  "POST /api/items/import": writeFor(201),
  "GET /api/export": read(),
  // The library is shared: every reader sees it; DOST publishes (the officer here is the press agency's, so DOST's item is not found).
  "GET /api/library": list(),
  "POST /api/library": signedIn({ admin: 201, auditor: 403, officer: 404, broadcaster: 403, approver: 404 }),
  "GET /api/library/:id": list(),
  "DELETE /api/library/:id": signedIn({ admin: 200, auditor: 403, officer: 404, broadcaster: 403, approver: 404 }),
  "POST /api/library/:id/copy": writeFor(201),
  // Events are city-wide: every reader sees them (an officer's progress is their agency's row); DOST and admins create them.
  "GET /api/events": list(),
  "POST /api/events": adminOnly(201),
  "GET /api/events/:id": list(),
  "POST /api/events/:id/items": writeById(201),
  "GET /api/events/:id/progress": list(),
  "GET /api/library/:id/reuse": signedIn({ admin: 200, auditor: 200, officer: 404, broadcaster: 403, approver: 404 }),
  // Open routes: the public feeds need nothing; the OAuth callback's state is unknown here (400), and a
  // bad token on it is still a bad token.
  "GET /feeds/:file": { admin: 200, auditor: 200, officer: 200, broadcaster: 200, approver: 200, none: 200, bad: 200, deactivated: 200 },
  // The private iCal URL: its token is what authenticates it (calendar apps send no header).
  "GET /ical/:file": { admin: 200, auditor: 200, officer: 200, broadcaster: 200, approver: 200, none: 200, bad: 200, deactivated: 200 },
  "GET /api/oauth/callback": {
    admin: 400,
    auditor: 400,
    officer: 400,
    broadcaster: 400,
    approver: 400,
    none: 400,
    bad: 401,
    deactivated: 401,
  },
  // The editorial workflow (issue 12). Edits, deletes and archiving are writers'; approvers decide.
  "PATCH /api/items/:id": writeById(200),
  "DELETE /api/items/:id": writeById(204),
  "POST /api/items/:id/duplicate": writeById(201),
  "POST /api/items/:id/archive": writeById(200),
  "POST /api/items/:id/unarchive": writeById(200),
  "POST /api/items/:id/submit": writeById(200),
  // The own agency requires its approver (the default): its officer may not approve; another agency's item does not exist.
  "POST /api/items/:id/approve": signedIn({ admin: 200, auditor: 403, officer: [403, 404], broadcaster: 403, approver: [200, 404] }),
  "POST /api/items/:id/return": signedIn({ admin: 200, auditor: 403, officer: [403, 404], broadcaster: 403, approver: [200, 404] }),
  "GET /api/items/:id/history": read(),
  "GET /api/approvals": list(),
  "GET /api/items/:id/comments": read(),
  "POST /api/items/:id/comments": signedIn({ admin: 201, auditor: 403, officer: [201, 404], broadcaster: 403, approver: [201, 404] }),
  "POST /api/notifications/:id/read": read(),
  "GET /api/webhooks": signedIn({ admin: 200, auditor: 403, officer: 200, broadcaster: 403, approver: 403 }),
  "POST /api/webhooks": writeFor(201),
  "GET /api/webhooks/:id": managers(200),
  "PATCH /api/webhooks/:id": managers(200),
  "DELETE /api/webhooks/:id": managers(204),
  "GET /api/webhooks/:id/deliveries": managers(200),
  "GET /api/audit": list(),
  "POST /api/sms/preview": anyone(200),
  "POST /api/sms/phones": anyone(200),
  "POST /api/sms/opt-outs": signedIn({ admin: 200, auditor: 403, officer: 200, broadcaster: 403, approver: 403 }),
  "POST /api/recipient-lists": writeFor(201),
  "GET /api/recipient-lists/:id": read(),
  "GET /api/campaigns": list(),
  "GET /api/campaigns/:id": read(),
  "GET /api/campaigns/:id/recipients": read(),
  "POST /api/campaigns/:id/pause": campaignSteer,
  "POST /api/campaigns/:id/resume": campaignSteer,
  "POST /api/campaigns/:id/cancel": campaignSteer,
  // An HTTP SMS gateway's callback: its token in the query authenticates it, whoever sends it.
  "GET /api/sms/callback/:channelId": {
    admin: 200,
    auditor: 200,
    officer: 200,
    broadcaster: 200,
    approver: 200,
    none: 200,
    bad: 200,
    deactivated: 200,
  },
};

type Caller = Role | "none" | "bad" | "deactivated";
interface Result {
  key: string;
  caller: Caller;
  scope: Scope;
  expected: number;
  answer: Answer;
}

describe("the authorization matrix, from the route table", () => {
  let hub: TestHub;
  let stub: WebhookStub;
  let world: World;
  let routes: string[];
  let results: Result[];

  beforeAll(async () => {
    stub = await new WebhookStub("khoa-ky-ma-tran-quyen").start();
    hub = await startHub("sqlite", { roles: ["web"], env: WORLD_ENV });
    const table = routeTable(hub.running.runtime.services, hub.env.PUBLIC_URL ?? "http://localhost");
    routes = [
      ...table.api.map((r) => `${r.method.toUpperCase()} /api${r.path}`),
      ...table.open.map((r) => `${r.method.toUpperCase()} ${r.path}`),
    ];
    world = await buildWorld(hub, stub);
    const gone = await hub.api("POST", "/api/users", { name: "Cán bộ đã nghỉ", role: "officer", agencyId: world.seeds.own.agencyId });
    await hub.api("PATCH", `/api/users/${gone.body.id}`, { active: false });

    const callers: { caller: Caller; scope: Scope }[] = [
      ...Role.options.flatMap((role) => (["own", "other"] as const).map((scope) => ({ caller: role, scope }))),
      { caller: "none", scope: "own" },
      { caller: "bad", scope: "own" },
      { caller: "deactivated", scope: "own" },
    ];
    const tasks = routes
      .filter((key) => EXPECT[key] && ROUTE_CASES[key])
      .flatMap((key) =>
        callers.map(({ caller, scope }) => async (): Promise<Result> => {
          const e = EXPECT[key] as Expectation;
          const outcome = e[caller];
          const expected = typeof outcome === "number" ? outcome : outcome[scope === "own" ? 0 : 1];
          const req = await (ROUTE_CASES[key] as (typeof ROUTE_CASES)[string])(world, world.seeds[scope]);
          const token =
            caller === "none"
              ? undefined
              : caller === "bad"
                ? "loa_khong-phai-ma-that"
                : caller === "deactivated"
                  ? gone.body.token
                  : world.tokens[caller];
          return { key, caller, scope, expected, answer: await send(hub, key, req, token) };
        }),
      );
    results = await pool(tasks, 12);
  }, 120_000);
  afterAll(async () => {
    await hub?.stop();
    await stub?.stop();
  });

  it("has an expectation and a request for every route of the app, and no entry without a route", () => {
    const missing = routes.filter((key) => !EXPECT[key]);
    expect(missing, `routes without an entry in the authorization matrix (add them to EXPECT): ${missing.join(", ")}`).toEqual([]);
    const noRequest = routes.filter((key) => !ROUTE_CASES[key]);
    expect(noRequest, `routes without a request in test/helpers/world.ts ROUTE_CASES: ${noRequest.join(", ")}`).toEqual([]);
    const stale = [...Object.keys(EXPECT), ...Object.keys(ROUTE_CASES)].filter((key) => !routes.includes(key));
    expect(stale, `entries for routes the app does not have: ${stale.join(", ")}`).toEqual([]);
    for (const [key, e] of Object.entries(EXPECT)) {
      const roles = Role.options.filter((role) => e[role] === undefined);
      expect(roles, `${key}: no expectation for the role(s) ${roles.join(", ")}`).toEqual([]);
    }
  });

  it("answers every route as the matrix says, for every role × own/other agency × no, bad or deactivated token", () => {
    const wrong = results
      .filter((r) => r.answer.status !== r.expected)
      .map((r) => `${r.key} as ${r.caller} (${r.scope}): expected ${r.expected}, got ${r.answer.status} ${r.answer.text.slice(0, 160)}`);
    expect(wrong).toEqual([]);
    expect(results.length).toBe(routes.length * (Role.options.length * 2 + 3));
  });

  it("never shows an officer or a broadcaster another agency's resources, in any answer", () => {
    const other = world.seeds.other;
    const ids = [
      other.itemId,
      other.channelId,
      other.facebookChannelId,
      other.deliveryId,
      other.mediaId,
      other.publicationId,
      other.exemptionId,
      other.userId,
      other.tokenId,
      other.stationId,
      other.boardId,
      other.radioId,
      other.programmeId,
      other.webhookId,
      other.campaignId,
    ];
    const leaks = results
      .filter((r) => (r.caller === "officer" || r.caller === "broadcaster" || r.caller === "approver") && r.answer.status < 300)
      .flatMap((r) => ids.filter((id) => r.answer.text.includes(id)).map((id) => `${r.key} as ${r.caller} (${r.scope}) shows ${id}`));
    expect(leaks).toEqual([]);
  });

  it("lists to an officer the exemptions of their agency and those for every agency, not another agency's", async () => {
    const all = await hub.api("POST", "/api/compliance/exemptions", { period: "2026-W08", reason: "Bão số 5" });
    expect(all.status).toBe(201);
    const seen = async (token: string) =>
      (await hub.api("GET", "/api/compliance/exemptions", undefined, token)).body.data.map((x: { id: string }) => x.id);
    const officerSees = await seen(world.tokens.officer);
    expect(officerSees).toEqual(expect.arrayContaining([world.seeds.own.exemptionId, all.body.id]));
    expect(officerSees).not.toContain(world.seeds.other.exemptionId);
    expect(await seen(world.tokens.auditor)).toEqual(expect.arrayContaining([world.seeds.own.exemptionId, world.seeds.other.exemptionId]));
  });

  it("answers another agency's resource named inside a request exactly like an unknown id", async () => {
    const { own, other } = world.seeds;
    const officer = world.tokens.officer;
    const cases: [string, string, (id: string) => unknown][] = [
      ["POST", `/api/items/${own.itemId}/schedule`, (id) => ({ deliveries: [{ channelId: id }] })],
      ["POST", `/api/items/${own.itemId}/media`, (id) => ({ mediaIds: [id] })],
      ["PUT", `/api/agencies/${own.agencyId}/logo`, (id) => ({ mediaId: id })],
      ["POST", "/api/items", (id) => ({ agencyId: own.agencyId, kind: "news", title: "a", body: "b", mediaIds: [id] })],
    ];
    for (const [method, path, body] of cases) {
      const otherId = path.includes("schedule") ? other.channelId : other.mediaId;
      const theirs = await hub.api(method, path, body(otherId), officer);
      const unknown = await hub.api(method, path, body("khong-co-id-nay"), officer);
      expect(theirs.status, `${method} ${path}`).toBe(unknown.status);
      expect(JSON.stringify(theirs.body).replaceAll(otherId, "khong-co-id-nay"), `${method} ${path}`).toBe(JSON.stringify(unknown.body));
    }
    const preview = await hub.api("GET", `/api/items/${own.itemId}/preview?channelId=${other.channelId}`, undefined, officer);
    expect(preview.status).toBe(404);
    expect(preview.body.field).toBe("channelId");
  });
});
