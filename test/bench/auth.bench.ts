// Bad bearer tokens per second from one address, and what they get (401 or 429), while a correct
// token from another address keeps being served. Usage: npm run bench auth
// (SECONDS=5 CONCURRENCY=20 by default; the hub's own AUTH_FAILURES_PER_IP/AUTH_FAILURE_WINDOW apply).
import http from "node:http";
import { ADMIN_TOKEN, startHub } from "../helpers/hub.js";

const SECONDS = Number(process.env.SECONDS ?? 5);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 20);

/** Requests `path` with `token` from `from` as fast as `concurrency` connections allow, until `until`. */
async function hammer(url: string, token: () => string, from: string, concurrency: number, until: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, localAddress: from });
  const statuses = new Map<number, number>();
  const latencies: number[] = [];
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const t0 = performance.now();
      http
        .get(`${url}/api/me`, { agent, headers: { authorization: `Bearer ${token()}` } }, (res) => {
          res.resume();
          res.on("end", () => {
            statuses.set(res.statusCode ?? 0, (statuses.get(res.statusCode ?? 0) ?? 0) + 1);
            latencies.push(performance.now() - t0);
            resolve();
          });
        })
        .on("error", reject);
    });
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) await one();
    }),
  );
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => (latencies[Math.floor((latencies.length - 1) * p)] ?? 0).toFixed(1);
  return { total: latencies.length, statuses: Object.fromEntries(statuses), p50: pct(0.5), p99: pct(0.99) };
}

const hub = await startHub("sqlite", { roles: ["web"] });
try {
  // Warm up the path once, so the first measured requests do not pay for it.
  await hammer(hub.url, () => ADMIN_TOKEN, "127.0.0.1", 2, Date.now() + 300);
  const until = Date.now() + SECONDS * 1000;
  let guess = 0;
  const [attack, legit] = await Promise.all([
    hammer(hub.url, () => `loa_guess-${guess++}`, "127.0.0.2", CONCURRENCY, until),
    hammer(hub.url, () => ADMIN_TOKEN, "127.0.0.1", 2, until),
  ]);
  console.log(
    `bad tokens from 127.0.0.2 (${CONCURRENCY} connections, ${SECONDS} s): ${Math.round(attack.total / SECONDS)} answered/s; ` +
      `by status ${JSON.stringify(attack.statuses)} (${Math.round(((attack.statuses[429] ?? 0) / attack.total) * 100)}% 429)`,
  );
  console.log(
    `correct token from 127.0.0.1 meanwhile: ${Math.round(legit.total / SECONDS)} answered/s; by status ${JSON.stringify(legit.statuses)}; ` +
      `latency p50 ${legit.p50} ms, p99 ${legit.p99} ms`,
  );
  if (!attack.statuses[429]) throw new Error("no bad token was answered 429: failed authentication is not throttled");
  if (Object.keys(legit.statuses).some((status) => status !== "200")) throw new Error("the correct token was refused");
} finally {
  await hub.stop();
}
process.exit(0);
