import { execFile } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedPlan } from "../../content/compliance/plan-seed.js";
import { createSecretBox, parseKeyRing, reencryptSecrets, writeKeyFile } from "../../content/secrets.js";
import { type OpenedDb, openDb } from "../../content/store/db.js";
import { migrate } from "../../content/store/migrate.js";
import { DB_KINDS, testDatabase } from "../helpers/db.js";

const run = promisify(execFile);
const PLAIN = ["user:app password 1", '{"refreshToken":"1//abc"}', "EAAB-page-token"];

/** `npm run rotate-key`: every stored secret re-encrypted with a new key, in one transaction. */
describe.each(DB_KINDS)("rotating the encryption key (%s)", (kind) => {
  const t = testDatabase(kind);
  const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), "loa-keys-"));
  const keyFile = path.join(keyDir, "loa.key");
  const oldKey = crypto.randomBytes(32);
  let opened: OpenedDb;

  const channel = (secret: string | null) => ({
    id: crypto.randomUUID(),
    agency_id: "so-khcn",
    kind: "webhook",
    name: "Kênh",
    settings: "{}",
    secret,
    token_expires_at: null,
    reconnect_reason: null,
    reconnect_flagged_at: null,
    created_at: new Date(),
    updated_at: new Date(),
  });
  const secrets = async () =>
    (await opened.db.selectFrom("channels").select(["id", "secret"]).where("secret", "is not", null).orderBy("id").execute()).map(
      (r) => r.secret ?? "",
    );

  beforeAll(async () => {
    opened = await openDb(t.database);
    await migrate(opened.db, t.database.kind === "postgres" ? t.database.schema : undefined);
    await seedPlan(opened.db);
    writeKeyFile(keyFile, [oldKey]);
    const box = createSecretBox(oldKey);
    await opened.db
      .insertInto("channels")
      .values([...PLAIN.map((p) => channel(box.seal(p))), channel(null)])
      .execute();
  });
  afterAll(async () => {
    await opened?.close();
    await t.drop();
    fs.rmSync(keyDir, { recursive: true, force: true });
  });

  it("changes nothing when one secret cannot be re-encrypted: the old key still opens them all", async () => {
    const before = await secrets();
    const broken = channel("v1:not-a-secret-of-ours");
    await opened.db.insertInto("channels").values(broken).execute();
    const next = createSecretBox({ current: crypto.randomBytes(32), previous: [oldKey] });
    await expect(reencryptSecrets(opened.db, next, kind === "postgres")).rejects.toThrow();
    await opened.db.deleteFrom("channels").where("id", "=", broken.id).execute();
    expect(await secrets()).toEqual(before);
    expect((await secrets()).map((s) => createSecretBox(oldKey).open(s)).sort()).toEqual([...PLAIN].sort());
  });

  it("re-encrypts every secret with a new key written to LOA_SECRET_KEY_FILE, and says how many and where", async () => {
    const env = { PATH: process.env.PATH ?? "", ...t.env, LOA_SECRET_KEY_FILE: keyFile, LOG_LEVEL: "silent" };
    const { stdout } = await run(process.execPath, ["--import", "tsx", "start/rotate-key.main.ts"], { env, timeout: 60_000 });
    expect(stdout).toContain(`re-encrypted 3 secrets; the new key is in ${keyFile}`);
    const ring = parseKeyRing(fs.readFileSync(keyFile, "utf8"), keyFile);
    expect(ring.previous).toEqual([]);
    expect(ring.current.equals(oldKey)).toBe(false);
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    const stored = await secrets();
    expect(stored.map((s) => createSecretBox(ring.current).open(s)).sort()).toEqual([...PLAIN].sort());
    for (const s of stored) expect(() => createSecretBox(oldKey).open(s)).toThrow();
  }, 60_000);
});
