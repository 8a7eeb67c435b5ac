// The OpenAPI 3.1 document is generated from the route table: it validates, it has every route of the
// app and no other, and its interactive reference at /docs renders in a headless browser with no
// request leaving the hub (no CDN) under the page's CSP.
import { validate } from "@readme/openapi-parser";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { routeTable } from "../../server/app.js";
import { EXAMPLES } from "../../server/openapi-examples.js";
import { startHub, type TestHub } from "../helpers/hub.js";

describe("the OpenAPI document and /docs", () => {
  let hub: TestHub;
  let doc: any;
  let routes: string[];

  beforeAll(async () => {
    hub = await startHub("sqlite", { roles: ["web"] });
    doc = await (await fetch(`${hub.url}/openapi.json`)).json();
    const table = routeTable(hub.running.runtime.services, hub.env.PUBLIC_URL ?? "http://localhost");
    routes = [
      ...table.api.map((r) => `${r.method.toUpperCase()} /api${r.path}`),
      ...table.open.map((r) => `${r.method.toUpperCase()} ${r.path}`),
    ].map((k) => k.replace(/:(\w+)/g, "{$1}"));
  }, 60_000);
  afterAll(async () => {
    await hub?.stop();
  });

  it("is a valid OpenAPI 3.1 document", async () => {
    expect(doc.openapi).toBe("3.1.0");
    const result = await validate(structuredClone(doc));
    expect(result.valid, JSON.stringify(result, null, 1).slice(0, 2000)).toBe(true);
  });

  it("documents every route of the app, and only those", () => {
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
    );
    expect([...documented].sort()).toEqual([...routes].sort());
  });

  it("gives examples each route's own schemas accept", () => {
    const table = routeTable(hub.running.runtime.services, "http://localhost");
    const refused = table.api.flatMap((r) => {
      const ex = EXAMPLES[`${r.method.toUpperCase()} /api${r.path}`];
      const problems: string[] = [];
      if (ex?.body !== undefined && r.body && !r.body.safeParse(ex.body).success) problems.push(`${r.method} ${r.path} body`);
      if (ex?.query !== undefined && r.query && !r.query.safeParse(ex.query).success) problems.push(`${r.method} ${r.path} query`);
      return problems;
    });
    expect(refused).toEqual([]);
  });

  it("carries each route's body and query schemas, with the Vietnamese examples", () => {
    const schedule = doc.paths["/api/items/{id}/schedule"].post;
    const deliveries = schedule.requestBody.content["application/json"].schema.properties.deliveries;
    expect(deliveries.items.properties).toHaveProperty("slot");
    expect(deliveries.items.required).toEqual(["channelId"]);
    const calendar = doc.paths["/api/calendar"].get;
    expect(calendar.parameters.map((p: { name: string }) => p.name)).toEqual(["from", "to", "agencyId", "channelId", "status"]);
    expect(calendar.parameters.find((p: { name: string }) => p.name === "status").schema.enum).toContain("published");
    const item = doc.paths["/api/items"].post.requestBody.content["application/json"].example;
    expect(item.title).toBe("Nộp hồ sơ trực tuyến tại Cổng dịch vụ công");
    expect(doc.paths["/api/items/{id}"].get.security).toEqual([{ bearer: [] }]);
    expect(doc.paths["/feeds/{file}"].get.security).toEqual([]);
    // Every JSON body has a Vietnamese example, and every example belongs to a route that exists.
    const bodies = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([p, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => op.requestBody?.content?.["application/json"])
        .map(([m, op]) => ({ key: `${m.toUpperCase()} ${p}`, example: op.requestBody.content["application/json"].example })),
    );
    expect(bodies.filter((b) => b.example === undefined).map((b) => b.key)).toEqual([]);
    const stale = Object.keys(EXAMPLES)
      .map((k) => k.replace(/:(\w+)/g, "{$1}"))
      .filter((k) => !routes.includes(k));
    expect(stale).toEqual([]);
  });

  it("renders the reference at /docs from the hub's own files, under its CSP", async () => {
    const page = await fetch(`${hub.url}/docs/`);
    expect(page.status).toBe(200);
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/https?:/);
    expect((await fetch(`${hub.url}/docs/swagger-initializer.js`)).status).toBe(404);
    const browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
    try {
      const tab = await browser.newPage();
      const foreign: string[] = [];
      const refused: string[] = [];
      tab.on("request", (r) => {
        if (!r.url().startsWith(hub.url) && !r.url().startsWith("data:")) foreign.push(r.url());
      });
      tab.on("console", (m) => {
        if (/Content Security Policy/i.test(m.text())) refused.push(m.text());
      });
      await tab.goto(`${hub.url}/docs/`);
      await tab.waitForSelector(".opblock", { timeout: 20_000 });
      // Swagger UI read every operation (it renders the tags lazily, as they scroll into view).
      const parsed = await tab.evaluate(
        () => (globalThis as unknown as { ui: { specSelectors: { operations(): { size: number } } } }).ui.specSelectors.operations().size,
      );
      expect(parsed).toBe(routes.length);
      expect(await tab.locator(".info .title").textContent()).toContain("Loa API");
      expect(foreign).toEqual([]);
      expect(refused.filter((t) => /script/i.test(t))).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
