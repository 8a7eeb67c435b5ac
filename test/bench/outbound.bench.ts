// What the outbound policy costs: requests per second to a local CMS stub through Node's plain fetch and
// through Loa's outbound client (name resolved and checked per connection, redirects handled by Loa),
// alternating rounds because the machine is shared.
// Usage: npm run bench outbound   (N=3000 requests per round, 10 at once, 3 rounds)
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createOutboundClient } from "../../channels/outbound.js";
import { type OutboundAllow, parseOutboundAllow } from "../../content/config.js";

const N = Number(process.env.N ?? 3000);
const ROUNDS = 3;
const server = http.createServer((req, res) => {
  req.resume();
  req.on("end", () => res.writeHead(201, { "content-type": "application/json" }).end('{"id":1}'));
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const port = (server.address() as AddressInfo).port;
const url = `http://localhost:${port}/loa`;
const outbound = createOutboundClient({ allow: [parseOutboundAllow(`127.0.0.1:${port}`) as OutboundAllow] });
const clients = {
  fetch: (u: string, init: RequestInit & { signal: AbortSignal }) => fetch(u, init),
  outbound: (u: string, init: RequestInit & { signal: AbortSignal }) => outbound(u, init),
};

async function rate(name: keyof typeof clients): Promise<number> {
  const call = clients[name];
  let sent = 0;
  const t0 = performance.now();
  const lane = async () => {
    while (sent++ < N) await (await call(url, { method: "POST", body: "{}", signal: AbortSignal.timeout(5_000) })).text();
  };
  await Promise.all(Array.from({ length: 10 }, lane));
  return N / ((performance.now() - t0) / 1000);
}

const results: Record<string, number[]> = { fetch: [], outbound: [] };
for (let r = 0; r < ROUNDS; r++) for (const name of ["fetch", "outbound"] as const) results[name]?.push(await rate(name));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
for (const [name, xs] of Object.entries(results)) {
  process.stdout.write(`${name.padEnd(8)} ${xs.map((x) => x.toFixed(0)).join(", ")} req/s (median ${median(xs).toFixed(0)})\n`);
}
server.close();
await outbound.close();
