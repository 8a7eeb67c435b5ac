// The web app's month calendar with 2,000 deliveries: first meaningful paint (the month grid with its
// events drawn) in headless Chromium, from navigation start, each run in a fresh browser profile (no
// HTTP cache), after one warm-up. The budget is 1 s; the JavaScript of the first page must stay within
// 250 KB gzipped. Usage: npm run bench web   (RUNS=10; PROBE=1 prints each load's requests and marks)
import type { Insertable } from "kysely";
import type { DeliveryTable, ItemTable } from "../../content/store/schema.js";
import { webBundle } from "../../server/web.js";
import { launchBrowser, newContext } from "../helpers/browser.js";
import { AGENCY } from "../helpers/fixtures.js";
import { startHub } from "../helpers/hub.js";

const RUNS = Number(process.env.RUNS ?? 10);
const DELIVERIES = 2_000;
const BUDGET_MS = 1_000;
const STATUSES = ["scheduled", "published", "published", "published", "failed", "cancelled", "held"];
const OFFICER = { login: "bench.officer", password: "mat-khau-do-hieu-nang" };

const hub = await startHub("sqlite", { roles: ["web"] });
const browser = await launchBrowser();
try {
  const api = hub.api;
  const user = await api("POST", "/api/users", { name: "Cán bộ đo", role: "officer", agencyId: AGENCY, ...OFFICER });
  if (user.status !== 201) throw new Error(JSON.stringify(user.body));
  const channels: string[] = [];
  for (let c = 0; c < 5; c++) {
    const res = await api("POST", "/api/channels", {
      agencyId: AGENCY,
      kind: "webhook",
      name: `Kênh ${c + 1}`,
      settings: { url: "https://cms.example.vn/loa" },
      secret: "khoa-ky-do-hieu-nang",
    });
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    channels.push(res.body.id);
  }
  // This month in Vietnam, from the 1st 00:00 to the last day 23:59.
  const wall = new Date(Date.now() + 7 * 3_600_000);
  const from = Date.UTC(wall.getUTCFullYear(), wall.getUTCMonth(), 1) - 7 * 3_600_000;
  const to = Date.UTC(wall.getUTCFullYear(), wall.getUTCMonth() + 1, 1) - 7 * 3_600_000;
  const db = hub.running.runtime.services.db;
  const now = new Date();
  const items: Insertable<ItemTable>[] = [];
  const deliveries: Insertable<DeliveryTable>[] = [];
  for (let i = 0; i < DELIVERIES; i++) {
    const at = new Date(from + Math.floor(((i + 0.5) / DELIVERIES) * (to - from)));
    const status = STATUSES[i % STATUSES.length] as string;
    items.push({
      id: `bench-item-${i}`,
      agency_id: AGENCY,
      kind: "news",
      title: `Hướng dẫn nộp hồ sơ trực tuyến số ${i + 1}`,
      body: "…",
      status: "approved",
      variants: "{}",
      created_by: null,
      created_at: now,
      updated_at: now,
    });
    deliveries.push({
      id: `bench-delivery-${i}`,
      item_id: `bench-item-${i}`,
      channel_id: channels[i % channels.length] as string,
      agency_id: AGENCY,
      status,
      scheduled_at: at,
      run_at: at,
      attempts: status === "scheduled" || status === "held" ? 0 : 1,
      last_error: status === "failed" ? "Chuyên mục không tồn tại" : null,
      external_id: null,
      url: null,
      published_at: status === "published" ? at : null,
      claimed_at: null,
      created_at: now,
      updated_at: now,
    });
  }
  for (let i = 0; i < DELIVERIES; i += 200) {
    await db
      .insertInto("items")
      .values(items.slice(i, i + 200))
      .execute();
    await db
      .insertInto("deliveries")
      .values(deliveries.slice(i, i + 200))
      .execute();
  }

  const bundle = await webBundle();
  const firstPageGz = bundle.firstPageScripts.reduce((n, s) => n + (bundle.assets.get(s)?.gzip.length ?? 0), 0);
  const allJsGz = [...bundle.assets].filter(([p]) => p.endsWith(".js")).reduce((n, [, a]) => n + a.gzip.length, 0);

  /** One load of the month calendar in a fresh profile: ms from navigation start to the events painted. */
  async function run(): Promise<{ paintMs: number; fcpMs: number; events: number }> {
    const context = await newContext(browser, hub.url);
    const signIn = await context.request.post("/api/session", { data: OFFICER });
    if (signIn.status() !== 200) throw new Error(`sign-in: ${signIn.status()}`);
    const page = await context.newPage();
    const cdp = process.env.PROFILE ? await context.newCDPSession(page) : undefined;
    if (cdp) {
      await cdp.send("Profiler.enable");
      await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
      await cdp.send("Profiler.start");
    }
    await page.goto("/officer/calendar");
    await page.waitForSelector(".fc-daygrid-event", { timeout: 30_000 });
    const paintMs = (await page.evaluate(
      "new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now()))))",
    )) as number;
    const fcpMs = (await page.evaluate("performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1")) as number;
    if (cdp) {
      const { profile } = (await cdp.send("Profiler.stop")) as {
        profile: {
          nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[];
          samples: number[];
          timeDeltas: number[];
        };
      };
      const byId = new Map(profile.nodes.map((n) => [n.id, n]));
      const self = new Map<string, number>();
      profile.samples.forEach((id, i) => {
        const n = byId.get(id);
        const key = `${n?.callFrame.functionName || "(anon)"} ${n?.callFrame.url.replace(/.*\//, "")}:${n?.callFrame.lineNumber}`;
        self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
      });
      console.log(
        [...self]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 25)
          .map(([k, v]) => `${v.toFixed(1)} ms ${k}`)
          .join("\n"),
      );
    }
    const events = Number(await page.evaluate("document.body.dataset.calendarEvents"));
    if (process.env.PROBE)
      console.log(
        await page.evaluate("performance.getEntriesByType('mark').map((m) => m.name + ' ' + m.startTime.toFixed(0)).join('\\n')"),
      );
    if (process.env.PROBE)
      console.log(
        await page.evaluate(
          "performance.getEntriesByType('resource').map((e) => e.name.replace(location.origin, '').slice(0, 60) + ' ' + e.startTime.toFixed(0) + '→' + e.responseEnd.toFixed(0)).join('\\n')",
        ),
      );
    await context.close();
    return { paintMs, fcpMs, events };
  }

  if (process.env.PROBE) {
    const q = new URLSearchParams({
      from: new Date(from - 86_400_000).toISOString(),
      to: new Date(to + 10 * 86_400_000).toISOString(),
      agencyId: AGENCY,
    });
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const r = await api("GET", `/api/calendar?${q}`);
      console.log("api", r.status, r.body.deliveries?.length, r.body.freeSlots?.length, (performance.now() - t0).toFixed(0), "ms");
    }
  }
  await run();
  if (process.env.PROBE) console.log("-- measured runs --");
  const results = [];
  for (let i = 0; i < RUNS; i++) results.push(await run());
  const paints = results.map((r) => r.paintMs).sort((a, b) => a - b);
  const median = paints[Math.floor(paints.length / 2)] ?? 0;
  const worst = paints[paints.length - 1] ?? 0;
  const fcp = results.map((r) => r.fcpMs).sort((a, b) => a - b)[Math.floor(results.length / 2)] ?? 0;
  console.log(
    `month calendar, ${results[0]?.events} deliveries loaded: first meaningful paint median ${median.toFixed(0)} ms, worst ${worst.toFixed(0)} ms over ${RUNS} fresh profiles (first contentful paint median ${fcp.toFixed(0)} ms); budget ${BUDGET_MS} ms`,
  );
  console.log(
    `JavaScript for the first page: ${(firstPageGz / 1024).toFixed(1)} KB gzipped (budget 250 KB); all the app's JavaScript: ${(allJsGz / 1024).toFixed(1)} KB gzipped`,
  );
  if (results[0]?.events !== DELIVERIES) throw new Error(`the calendar loaded ${results[0]?.events} deliveries, not ${DELIVERIES}`);
  if (median > BUDGET_MS || firstPageGz > 250 * 1024) process.exitCode = 1;
} finally {
  await browser.close();
  await hub.stop();
}
