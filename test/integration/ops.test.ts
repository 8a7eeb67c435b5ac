// Operations: /metrics (admins), METRICS_PORT, /readyz with the queues, the Bull Board (admins), and
// request ids on the API's log lines.
import { Writable } from "node:stream";
import express from "express";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestLog } from "../../server/ops.js";
import { AGENCY, newsItem, schedule, settled, webhookChannel } from "../helpers/fixtures.js";
import { ADMIN_TOKEN, startHub, type TestHub } from "../helpers/hub.js";
import { WebhookStub } from "../stubs/webhook.stub.js";

describe("operations (sqlite)", () => {
  let hub: TestHub;
  let stub: WebhookStub;
  let officer: string;

  beforeAll(async () => {
    stub = await new WebhookStub("ops-secret-0123456").start();
    hub = await startHub("sqlite", { allow: [stub.url], env: { METRICS_PORT: "0" } });
    officer = (await hub.api("POST", "/api/users", { name: "Nguyễn Văn An", role: "officer", agencyId: AGENCY })).body.token;
  });
  afterAll(async () => {
    await hub?.stop();
    await stub?.stop();
  });

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${hub.url}${path}`, { headers, redirect: "manual" });
  const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

  it("serves /metrics to an admin only, with queue depths and ages", async () => {
    expect((await get("/metrics")).status).toBe(401);
    expect((await get("/metrics", bearer(officer))).status).toBe(403);
    const res = await get("/metrics", bearer(ADMIN_TOKEN));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toMatch(/^loa_queue_jobs\{queue="publish",state="waiting"\} \d+$/m);
    expect(text).toMatch(/^loa_queue_jobs\{queue="media",state="delayed"\} \d+$/m);
    expect(text).toMatch(/^loa_queue_oldest_waiting_seconds\{queue="publish"\} [\d.]+$/m);
    expect(text).toMatch(/^loa_queue_overdue_seconds\{queue="publish"\} [\d.]+$/m);
    expect(text).toMatch(/^loa_process_resident_memory_bytes \d+/m);
  });

  it("counts a publication by channel kind and outcome, with its latency and lateness", async () => {
    const channelId = await webhookChannel(hub.api, stub);
    const id = await schedule(hub.api, await newsItem(hub.api), channelId);
    await settled(hub.api, id, ["published"]);
    const text = await (await get("/metrics", bearer(ADMIN_TOKEN))).text();
    expect(text).toMatch(/^loa_publish_attempts_total\{kind="webhook",outcome="published",code=""\} [1-9]/m);
    expect(text).toMatch(/^loa_publish_duration_seconds_count\{kind="webhook"\} [1-9]/m);
    expect(text).toMatch(/^loa_publish_lateness_seconds_count\{kind="webhook"\} [1-9]/m);
  });

  it("serves the same registry on METRICS_PORT without a token", async () => {
    const port = hub.running.metricsPort;
    expect(port).toBeGreaterThan(0);
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("loa_publish_attempts_total");
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
  });

  it("answers /readyz with the database, Redis and each queue; a paused queue is not ready", async () => {
    const ok = await get("/readyz");
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({
      status: "ready",
      database: "ok",
      redis: "ok",
      queues: { publish: { status: "ok", waiting: expect.any(Number) }, media: { status: "ok" } },
    });
    const q = hub.running.runtime.mediaQueue.queue;
    await q.pause();
    try {
      const paused = await get("/readyz");
      expect(paused.status).toBe(503);
      expect(await paused.json()).toMatchObject({ status: "not ready", queues: { media: { status: "paused" } } });
    } finally {
      await q.resume();
    }
  });

  it("mounts the Bull Board for admins only; a browser signs in once with ?access_token and keeps a path-bound cookie", async () => {
    expect((await get("/admin/queues")).status).toBe(401);
    expect((await get("/admin/queues", bearer(officer))).status).toBe(403);
    expect((await get(`/admin/queues?access_token=${officer}`)).status).toBe(403);
    expect((await get("/admin/queues?access_token=loa_wrong-token-0123456789")).status).toBe(401);
    const page = await get("/admin/queues", bearer(ADMIN_TOKEN));
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(await page.text()).toContain("<title>Loa</title>");

    const signIn = await get(`/admin/queues?access_token=${ADMIN_TOKEN}`);
    expect(signIn.status).toBe(303);
    expect(signIn.headers.get("location")).toBe("/admin/queues");
    const setCookie = signIn.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/^loa_board=.+; Path=\/admin\/queues; HttpOnly; SameSite=Strict$/);
    const cookie = setCookie.split(";")[0] ?? "";
    const api = await get("/admin/queues/api/queues", { cookie });
    expect(api.status).toBe(200);
    const names = ((await api.json()) as { queues: { name: string }[] }).queues.map((q) => q.name).sort();
    expect(names).toEqual(["media", "publish"]);
  });

  it("answers a request id, keeping a caller's", async () => {
    const mine = await get("/healthz", { "x-request-id": "req-0123456789" });
    expect(mine.headers.get("x-request-id")).toBe("req-0123456789");
    const fresh = await get("/healthz", { "x-request-id": "bad id with spaces" });
    expect(fresh.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("request logs", () => {
  it("puts the request id on every line logged for the request, and logs the path without its query", async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const l of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(l));
        done();
      },
    });
    const log = pino({ level: "info" }, sink);
    const app = express();
    app.use(requestLog(log));
    app.get("/x", (_req, res) => {
      (res.locals.log as pino.Logger).info({ step: 1 }, "inside");
      res.json({ ok: true });
    });
    const server = app.listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    const port = (server.address() as { port: number }).port;
    const res = await fetch(`http://127.0.0.1:${port}/x?access_token=secret`);
    expect(res.status).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    server.close();
    const id = res.headers.get("x-request-id");
    expect(lines.map((l) => [l.requestId, l.msg])).toEqual([
      [id, "inside"],
      [id, "request"],
    ]);
    expect(lines[1]).toMatchObject({ method: "GET", path: "/x", status: 200 });
    expect(JSON.stringify(lines)).not.toContain("secret");
  });
});
