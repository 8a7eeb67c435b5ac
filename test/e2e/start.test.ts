import { type ChildProcess, spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DB_KINDS, testDatabase, uniqueName } from "../helpers/db.js";
import { allowEntry } from "../helpers/endpoints.js";
import { newsItem, schedule, settled, webhookChannel } from "../helpers/fixtures.js";
import { type Api, apiClient, dropQueue, eventually, sleep } from "../helpers/hub.js";
import { WebhookStub } from "../stubs/webhook.stub.js";

/** Runs `npm start` as a user would, in its own process group, and reads what it prints. */
function npmStart(env: Record<string, string>): {
  proc: ChildProcess;
  output: () => string;
  listening: Promise<{ port: number; token?: string }>;
} {
  const proc = spawn("npm", ["start"], { env: { ...process.env, ...env }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const listening = new Promise<{ port: number; token?: string }>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const port = /Loa listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1];
      if (port) resolve({ port: Number(port), ...tokenIn(out) });
    };
    proc.stdout?.on("data", onData);
    proc.stderr?.on("data", (c: Buffer) => {
      out += c.toString();
    });
    proc.on("exit", (code) => reject(new Error(`npm start exited with ${code}:\n${out}`)));
  });
  return { proc, output: () => out, listening };
}

const tokenIn = (out: string) => {
  const token = /admin token \(shown once, keep it safe\): (loa_\S+)/.exec(out)?.[1];
  return token ? { token } : {};
};

const groupAlive = (pid: number) => {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * SIGTERM to the whole process group, as a terminal or process manager does (npm itself does not pass
 * SIGTERM on to its script); answers whether every process of the group ended by itself.
 */
async function stop(proc: ChildProcess): Promise<boolean> {
  const pid = proc.pid;
  if (pid === undefined || !groupAlive(pid)) return true;
  process.kill(-pid, "SIGTERM");
  try {
    await eventually(async () => (groupAlive(pid) ? undefined : true), 15_000, `process group ${pid} to end after SIGTERM`);
    return true;
  } catch {
    process.kill(-pid, "SIGKILL");
    return false;
  }
}

describe.each(DB_KINDS)("npm start on %s", (kind) => {
  const db = testDatabase(kind);
  const prefix = uniqueName("loae2e");
  let stub: WebhookStub;
  let run: ReturnType<typeof npmStart>;
  let api: Api;
  let token: string;
  let base = "";

  beforeAll(async () => {
    stub = await new WebhookStub("khoa-bi-mat-e2e").start();
    // No LOA_ADMIN_TOKEN: the first start must print one.
    const OUTBOUND_ALLOW = allowEntry(stub.url);
    run = npmStart({
      ...db.env,
      PORT: "0",
      HOST: "127.0.0.1",
      QUEUE_PREFIX: prefix,
      LOA_ADMIN_TOKEN: "",
      LOG_LEVEL: "info",
      OUTBOUND_ALLOW,
    });
    const { port, token: printed } = await run.listening;
    expect(printed).toMatch(/^loa_/);
    token = printed ?? "";
    base = `http://127.0.0.1:${port}`;
    api = apiClient(base, token);
  }, 60_000);

  afterAll(async () => {
    if (run) await stop(run.proc);
    await stub?.stop();
    await dropQueue(prefix);
    await db.drop();
  });

  it("prints, with the token, a web sign-in for the admin that opens a session at /", async () => {
    const password = /user name admin, password (\S+)/.exec(run.output())?.[1];
    expect(password, run.output()).toBeDefined();
    const res = await fetch(`${base}/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ login: "admin", password }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("set-cookie")).toMatch(/HttpOnly/i);
  });

  it("publishes an item scheduled 2 s ahead exactly once and records it", async () => {
    const channelId = await webhookChannel(api, stub);
    const itemId = await newsItem(api, "so-khcn", "Tuần lễ dịch vụ công trực tuyến");
    const id = await schedule(api, itemId, channelId, 2_000);
    expect((await api("GET", `/api/deliveries/${id}`)).body.status).toBe("scheduled");
    const d = await settled(api, id, ["published", "failed", "unconfirmed"], 20_000);
    expect(d.status).toBe("published");
    // Proves a second post does NOT come: nothing to poll for, so give a duplicate job a second to arrive.
    await sleep(1_000);
    expect(stub.posts.filter((p) => p.key === id)).toHaveLength(1);
    expect(stub.posts[0]?.body).toMatchObject({ item: { title: "Tuần lễ dịch vụ công trực tuyến" } });
    const listed = await api("GET", `/api/deliveries?status=published&itemId=${itemId}`);
    expect(listed.body.data.map((x: { id: string }) => x.id)).toEqual([id]);
  });

  it("stops cleanly on SIGTERM", async () => {
    expect(await stop(run.proc)).toBe(true);
    expect(run.output()).toContain('"msg":"stopping"');
  });
});

describe("npm start without Redis", () => {
  it("says in one line that Redis is unreachable and how to start one, and exits 1", async () => {
    const db = testDatabase("sqlite");
    try {
      const run = npmStart({ ...db.env, PORT: "0", REDIS_URL: "redis://127.0.0.1:1" });
      const failed = await run.listening.then(
        () => undefined,
        (err: Error) => err.message,
      );
      expect(failed).toContain("npm start exited with 1");
      const lines = run
        .output()
        .split("\n")
        .filter((l) => l.includes("cannot reach Redis"));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain("redis-server --daemonize yes");
      expect(run.output()).not.toContain("Unhandled error");
    } finally {
      await db.drop();
    }
  });
});
