// Fault: the disk under DATA_DIR fills up during an upload and during SQLite writes. The answer is a
// clear 507, nothing half-written is left (no partial upload, no media row, no torn database), and
// everything works again once space is freed. DATA_DIR is a small tmpfs of this test's own, which
// needs root (mount); where it cannot be mounted, the test says so and is skipped.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHub, type TestHub } from "../helpers/hub.js";
import { noWorkFilesLeft, storedFiles, upload } from "../helpers/media.js";
import { report } from "./harness.js";

const mountDir = fs.mkdtempSync(path.join(os.tmpdir(), "loa-full-"));
const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "size=48m", "tmpfs", mountDir]).status === 0;
if (!mounted) process.stdout.write("disk-full fault skipped: cannot mount a tmpfs here (needs root)\n");

/** Fills the file system until `leaveBytes` are free (or none), in a file removed afterwards. */
function fill(file: string, leaveBytes: number): void {
  const fd = fs.openSync(file, "a");
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) {
      const { bavail, bsize } = fs.statfsSync(mountDir);
      const free = bavail * bsize;
      if (free <= leaveBytes) break;
      fs.writeSync(fd, chunk, 0, Math.min(chunk.length, free - leaveBytes));
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOSPC") throw err;
  } finally {
    fs.closeSync(fd);
  }
}

describe.skipIf(!mounted)("the disk under DATA_DIR full", () => {
  let hub: TestHub;
  const filler = path.join(mountDir, "filler");

  beforeAll(async () => {
    hub = await startHub("sqlite", { env: { DATA_DIR: mountDir } });
  });
  afterAll(async () => {
    await hub?.stop();
    spawnSync("umount", ["-l", mountDir]);
    fs.rmSync(mountDir, { recursive: true, force: true });
  });

  it("answers 507 to an upload that fills the disk, and leaves no partial file nor media record", async () => {
    // Noise does not compress: a PNG of about 3 MB, with 1 MB left on the disk.
    const noise = Buffer.alloc(1024 * 1024 * 3);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
    const png = await sharp(noise, { raw: { width: 1024, height: 1024, channels: 3 } })
      .png({ compressionLevel: 0 })
      .toBuffer();
    fill(filler, 1024 * 1024);
    const res = await upload(hub, { name: "anh-lon.png", data: png });
    expect(res.status).toBe(507);
    expect(res.body).toMatchObject({ code: "insufficient_storage", message: expect.stringContaining("disk is full") });
    await noWorkFilesLeft(hub);
    expect(storedFiles(hub)).toEqual([]);
    expect((await hub.api("GET", "/api/media?agencyId=so-khcn")).body.data).toEqual([]);
    fs.rmSync(filler);
    const again = await upload(hub, { name: "anh-lon.png", data: png });
    expect(again.status, JSON.stringify(again.body)).toBe(202);
  });

  it("answers 507 to SQLite writes on a full disk, keeps every answered write, and recovers once space is freed", async () => {
    fill(filler, 0);
    const started = Date.now();
    const answers: { status: number; title: string }[] = [];
    const body = "Nộp hồ sơ trực tuyến trên Cổng dịch vụ công. ".repeat(400);
    for (let i = 0; i < 200 && !answers.some((a) => a.status === 507); i++) {
      const title = `Đầy đĩa ${i}`;
      const res = await hub.api("POST", "/api/items", { agencyId: "so-khcn", kind: "news", title, body, tasks: ["1.3"] });
      answers.push({ status: res.status, title });
    }
    expect(answers.map((a) => a.status).filter((s) => s !== 201 && s !== 507)).toEqual([]);
    const refused = answers.filter((a) => a.status === 507);
    expect(refused.length).toBeGreaterThan(0);
    fs.rmSync(filler);
    const freedAt = Date.now();
    const after = await hub.api("POST", "/api/items", {
      agencyId: "so-khcn",
      kind: "news",
      title: "Sau khi dọn đĩa",
      body,
      tasks: ["1.3"],
    });
    expect(after.status).toBe(201);
    const recoveredMs = Date.now() - freedAt;
    const db = hub.running.runtime.database.db;
    const titles = new Set((await db.selectFrom("items").select("title").execute()).map((r) => r.title));
    const lost = answers.filter((a) => a.status === 201 && !titles.has(a.title)).length;
    const halfWritten = refused.filter((a) => titles.has(a.title)).length;
    const check = await sql<{ integrity_check: string }>`PRAGMA integrity_check`.execute(db);
    report({
      fault: "disk full under DATA_DIR (SQLite writes)",
      deliveries: answers.length,
      unit: "writes",
      lost,
      duplicated: 0,
      leftForPerson: 0,
      recoveryMs: recoveredMs,
    });
    process.stdout.write(
      `  ${answers.length - refused.length} writes answered 201 before the disk filled, then 507 (${Date.now() - started} ms); ${halfWritten} refused writes found stored; integrity_check: ${check.rows[0]?.integrity_check}\n`,
    );
    expect(lost).toBe(0);
    expect(halfWritten).toBe(0);
    expect(check.rows[0]?.integrity_check).toBe("ok");
  });
});
