// The fault suite's tools: Loa roles in processes of their own (as the Procfile runs them), many
// deliveries at once, what became of them, and the figures each fault test prints.
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Db } from "../../content/store/db.js";
import type { Api } from "../helpers/hub.js";
import { eventually } from "../helpers/hub.js";
import type { WebhookStub } from "../stubs/webhook.stub.js";

/** `npm run test:faults` runs the full faults (60 s outages, 1,000 deliveries); `npm test` their fast variants. */
export const FULL = process.env.LOA_FAULTS === "full";
export const pick = <T>(fast: T, full: T): T => (FULL ? full : fast);
/**
 * How long a test waits for what must happen, and how long a test may take: bounds, not expectations
 * (a passing test takes seconds), generous because `npm test` runs these beside other files on a
 * machine that may be busy. What a fault must achieve in a given time is asserted apart.
 */
export const WAIT_MS = 240_000;
export const TEST_MS = 600_000;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export type Role = "web" | "worker" | "clock";

/** One Loa role in its own process (`node --import tsx start/<role>.main.ts`), with the given environment. */
export class LoaProcess {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output = "";
  private constructor(readonly proc: ChildProcess) {
    this.exited = new Promise((resolve) => proc.once("exit", (code, signal) => resolve({ code, signal })));
    const keep = (b: Buffer) => {
      this.output += b.toString();
    };
    proc.stdout?.on("data", keep);
    proc.stderr?.on("data", keep);
  }

  static start(role: Role, env: Record<string, string>): LoaProcess {
    const proc = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, `start/${role}.main.ts`)], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    return new LoaProcess(proc);
  }

  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  kill(signal: NodeJS.Signals): void {
    if (this.alive) this.proc.kill(signal);
  }

  /** Stops it for good (tests' cleanup). */
  async stop(): Promise<void> {
    if (!this.alive) return;
    this.proc.kill("SIGKILL");
    await this.exited;
  }
}

/**
 * Schedules `n` deliveries of news items on the channel, 50 per item, one millisecond apart from
 * `inMs` from now; answers their ids.
 */
export async function scheduleMany(api: Api, channelId: string, n: number, inMs: number): Promise<string[]> {
  const ids: string[] = [];
  const start = Date.now() + inMs;
  for (let i = 0; i < n; i += 50) {
    const item = await api("POST", "/api/items", {
      agencyId: "so-khcn",
      kind: "news",
      title: `Dịch vụ công trực tuyến ${i}`,
      body: "Người dân có thể nộp hồ sơ trên Cổng dịch vụ công quốc gia.",
      tasks: ["1.3"],
    });
    if (item.status !== 201) throw new Error(`item: ${item.status} ${JSON.stringify(item.body)}`);
    const count = Math.min(50, n - i);
    // Scheduling many takes a while on a busy machine: a batch is never due in the past.
    const base = Math.max(start + i, Date.now() + 1_000);
    const res = await api("POST", `/api/items/${item.body.id}/schedule`, {
      deliveries: Array.from({ length: count }, (_, k) => ({ channelId, at: new Date(base + k).toISOString() })),
    });
    if (res.status !== 201) throw new Error(`schedule: ${res.status} ${JSON.stringify(res.body)}`);
    ids.push(...res.body.data.map((d: { id: string }) => d.id));
  }
  return ids;
}

/**
 * The test's own reads go through the same pool as Loa's: right after a cut connection, one query may
 * still meet the dead socket. They are tried again, as Loa's jobs are.
 */
async function retrying<T>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (err) {
      if (attempt >= 5) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** How many of a channel's deliveries are in each status. */
export async function statusCounts(db: Db, channelId: string): Promise<Record<string, number>> {
  const rows = await retrying(() =>
    db
      .selectFrom("deliveries")
      .select(["status", (eb) => eb.fn.countAll<number>().as("n")])
      .where("channel_id", "=", channelId)
      .groupBy("status")
      .execute(),
  );
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** Waits until all `n` deliveries of the channel are published; answers when that was (ms since the epoch). */
export async function allPublished(db: Db, channelId: string, n: number, ms: number): Promise<number> {
  let last: Record<string, number> = {};
  await eventually(
    async () => {
      last = await statusCounts(db, channelId);
      if (process.env.LOA_FAULTS_TRACE) process.stdout.write(`${new Date().toISOString()} ${JSON.stringify(last)}\n`);
      return (last.published ?? 0) >= n ? true : undefined;
    },
    ms,
    () => `${n} deliveries to be published; they are ${JSON.stringify(last)}`,
  );
  return Date.now();
}

export interface Figures {
  fault: string;
  deliveries: number;
  /** What `deliveries` counts, when not deliveries (the disk-full fault counts writes). */
  unit?: string;
  /** Deliveries that never reached the provider, or are not `published` in Loa. */
  lost: number;
  /** Idempotency keys with more than one post at the provider, or Loa's id not the provider's post. */
  duplicated: number;
  /** Deliveries left `unconfirmed`, `failed` or `missed`: an officer would have to act. */
  leftForPerson: number;
  /** From the end of the fault (or the kill) until everything was published. */
  recoveryMs: number;
  /** Requests the provider answered again for a key it had (deduplicated by the key): resends, not duplicates. */
  resent?: number;
}

/** What became of the channel's deliveries, at Loa and at the stub (posts counted by idempotency key). */
export async function tally(
  db: Db,
  channelId: string,
  stub: WebhookStub,
): Promise<Omit<Figures, "fault" | "recoveryMs" | "deliveries"> & { rows: number }> {
  const rows = await retrying(() =>
    db.selectFrom("deliveries").select(["id", "status", "external_id"]).where("channel_id", "=", channelId).execute(),
  );
  const postsByKey = new Map<string, number>();
  for (const p of stub.posts) postsByKey.set(p.key, (postsByKey.get(p.key) ?? 0) + 1);
  const posted = new Map(stub.posts.map((p, i) => [p.key, `post-${i + 1}`]));
  const answered = new Map<string, number>();
  for (const r of stub.requests)
    if (typeof r.status === "number" && r.status < 300 && r.key) answered.set(r.key, (answered.get(r.key) ?? 0) + 1);
  let lost = 0;
  let duplicated = 0;
  let leftForPerson = 0;
  for (const r of rows) {
    if (!postsByKey.has(r.id) || r.status !== "published") lost++;
    if ((postsByKey.get(r.id) ?? 0) > 1 || (r.status === "published" && r.external_id !== posted.get(r.id))) duplicated++;
    if (["unconfirmed", "failed", "missed"].includes(r.status)) leftForPerson++;
  }
  const resent = [...answered.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
  return { rows: rows.length, lost, duplicated, leftForPerson, resent };
}

/** Prints one fault's figures (a line the README's table is made from). */
export function report(f: Figures): void {
  process.stdout.write(
    `\nFAULT ${f.fault} | ${f.unit ?? "deliveries"} ${f.deliveries} | lost ${f.lost} | duplicated ${f.duplicated} | left for a person ${f.leftForPerson} | recovery ${(f.recoveryMs / 1000).toFixed(1)} s${f.resent === undefined ? "" : ` | sent again, deduplicated by key ${f.resent}`}\n`,
  );
}
