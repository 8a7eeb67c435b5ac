// SMS at scale, on this machine, against a local SMSC (the `smpp` package's server, in a child process):
//  1. a 1,000,000-row CSV list streamed through `POST /api/recipient-lists` (goal ≤ 60 s);
//  2. a 100,000-recipient campaign without a TPS cap (goal ≥ 1,000 messages/s);
//  3. a campaign with TPS = 200 (goal: within 2 % of the cap);
// with the peak RSS of Loa's process (API, campaign worker, database client, and the small upload
// client; goal ≤ 300 MB). The SMSC stub keeps every message it receives, so it runs apart
// (`smsc.child.ts`) and its own RSS is printed beside.
// Usage: npm run bench sms   (DB=postgres|sqlite, ROWS=1000000, N=100000, N_CAP=10000, TPS=200)
import { type ChildProcess, fork } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import { startHub, type TestHub } from "../helpers/hub.js";

const DB = (process.env.DB ?? "postgres") as "postgres" | "sqlite";
const ROWS = Number(process.env.ROWS ?? 1_000_000);
const N = Number(process.env.N ?? 100_000);
const N_CAP = Number(process.env.N_CAP ?? 10_000);
const TPS = Number(process.env.TPS ?? 200);
const AGENCY = "so-khcn";

let peak = 0;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 50);
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;

/** Streams a multipart upload of `rows` generated numbers (never the whole file in memory). */
function uploadList(hub: TestHub, rows: number, offset: number): Promise<any> {
  const boundary = "----loa-bench-boundary";
  const url = new URL(`${hub.url}/api/recipient-lists`);
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: "POST",
      headers: { authorization: `Bearer ${hub.env.LOA_ADMIN_TOKEN}`, "content-type": `multipart/form-data; boundary=${boundary}` },
    });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        if (res.statusCode !== 201) reject(new Error(JSON.stringify(body)));
        else resolve(body);
      });
    });
    req.on("error", reject);
    const field = (name: string, value: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
    req.write(field("agencyId", AGENCY) + field("name", `bench ${rows}`));
    req.write(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="list.csv"\r\nContent-Type: text/csv\r\n\r\nphone,commune\r\n`,
    );
    let i = 0;
    const write = () => {
      while (i < rows) {
        let chunk = "";
        for (let k = 0; k < 2_000 && i < rows; k++, i++) {
          // Viettel 09x/03x numbers, one in 50 an old 11-digit 016x number (converted), one in 100 repeated.
          const n = offset + (i % 100 === 99 ? i - 1 : i);
          const local = String(n).padStart(7, "0");
          chunk += i % 50 === 7 ? `0162${local},phuong-ninh-kieu\r\n` : `098${local},phuong-ninh-kieu\r\n`;
        }
        if (!req.write(chunk)) return void req.once("drain", write);
      }
      req.end(`\r\n--${boundary}--\r\n`);
    };
    write();
  });
}

async function campaign(hub: TestHub, port: number, rows: number, offset: number, tps: number, label: string) {
  const ok = (r: { status: number; body: any }) => {
    if (r.status >= 300) throw new Error(JSON.stringify(r.body));
    return r.body;
  };
  const list = await uploadList(hub, rows, offset);
  const channelId = ok(
    await hub.api("POST", "/api/channels", {
      agencyId: AGENCY,
      kind: "sms",
      name: label,
      settings: {
        gateway: "smpp",
        host: "127.0.0.1",
        port,
        systemId: `sokhcn${label}`,
        sender: "SOKHCN",
        tps,
        window: 50,
        binds: 2,
        quietHours: null,
      },
      secret: "bimat123",
    }),
  ).id;
  const item = ok(
    await hub.api("POST", "/api/items", {
      agencyId: AGENCY,
      kind: "sms",
      title: "Bench",
      body: "Nop ho so truc tuyen tai dichvucong.gov.vn",
      tasks: ["3.3"],
    }),
  ).id;
  const d = ok(await hub.api("POST", `/api/items/${item}/schedule`, { deliveries: [{ channelId, recipientListId: list.id }] })).data[0];
  const t0 = performance.now();
  for (;;) {
    const r = ok(await hub.api("GET", `/api/campaigns/${d.campaignId}`));
    if (r.status === "finished") return { report: r, ms: performance.now() - t0, accepted: list.accepted as number };
    if (process.env.DEBUG) console.log(r.status, JSON.stringify(r.totals));
    await new Promise((res) => setTimeout(res, 500));
  }
}

interface Submits {
  count: number;
  total: number;
  first: number;
  last: number;
  errors: string[];
}

/** The SMSC stub in its own process: its port, and what it received since a count. */
async function startSmsc(): Promise<{ port: number; submits(from: number): Promise<Submits>; rss(): number; stop(): void }> {
  const child: ChildProcess = fork(new URL("./smsc.child.ts", import.meta.url), [], { execArgv: ["--import", "tsx"], stdio: "inherit" });
  const next = <T>(type: string) =>
    new Promise<T>((resolve) => {
      const on = (m: { type: string }) => {
        if (m.type !== type) return;
        child.off("message", on);
        resolve(m as T);
      };
      child.on("message", on);
    });
  const { port } = await next<{ port: number }>("ready");
  return {
    port,
    async submits(from) {
      const answer = next<Submits>("submits");
      child.send({ type: "submits", from });
      return answer;
    },
    rss: () => {
      try {
        const status = fs.readFileSync(`/proc/${child.pid}/status`, "utf8");
        return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
      } catch {
        return 0;
      }
    },
    stop: () => child.send({ type: "stop" }),
  };
}

async function main() {
  const smsc = await startSmsc();
  const hub = await startHub(DB, { env: { SMS_CONCURRENCY: "8", SMS_DAILY_CAP: "5", LOG_LEVEL: "silent", RECONCILE_CRON: "* * * * *" } });
  try {
    peak = 0;
    const t = performance.now();
    const list = await uploadList(hub, ROWS, 0);
    const importS = (performance.now() - t) / 1000;
    console.log(
      `${DB}: import ${ROWS.toLocaleString("en")} rows in ${importS.toFixed(1)} s (${(ROWS / importS).toFixed(0)} rows/s): accepted ${list.accepted}, converted ${list.converted}, duplicates ${list.duplicates}, refused ${list.refusedTotal}; peak RSS of Loa ${mb(peak)}`,
    );

    peak = 0;
    const before = (await smsc.submits(0)).total;
    const free = await campaign(hub, smsc.port, N, 2_000_000, 0, "free");
    const got = await smsc.submits(before);
    const sendS = (got.last - got.first) / 1000;
    console.log(
      `${DB}: campaign of ${free.accepted.toLocaleString("en")} without a cap: ${got.count} submits in ${sendS.toFixed(1)} s = ${(got.count / sendS).toFixed(0)} msg/s at the SMSC; finished after ${(free.ms / 1000).toFixed(1)} s; totals ${JSON.stringify(free.report.totals)}; peak RSS of Loa ${mb(peak)}`,
    );

    peak = 0;
    const before2 = got.total;
    const capped = await campaign(hub, smsc.port, N_CAP, 4_000_000, TPS, "cap");
    const got2 = await smsc.submits(before2);
    const capS = (got2.last - got2.first) / 1000;
    const rate = (got2.count - 1) / capS;
    console.log(
      `${DB}: campaign of ${capped.accepted.toLocaleString("en")} with TPS=${TPS}: ${rate.toFixed(1)} msg/s (${(((rate - TPS) / TPS) * 100).toFixed(2)} % from the cap); totals ${JSON.stringify(capped.report.totals)}; peak RSS of Loa ${mb(peak)}; the SMSC stub's own peak ${mb(smsc.rss())}`,
    );
    if (got2.errors.length) console.log(`SMSC errors: ${got2.errors.join("; ")}`);
  } finally {
    clearInterval(sampler);
    await hub.stop();
    smsc.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
