import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../content/config.js";
import { createSecretBox, loadSecretKeys, writeKeyFile } from "../../content/secrets.js";

describe("channel secrets at rest", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "loa-key-"));
  const generated = () => loadSecretKeys({ secretKey: undefined, secretKeyFile: undefined, dataDir: dir });

  it("generates a key once into the data dir, readable by its owner only, and warns that it sits beside the database", () => {
    const a = generated();
    const b = generated();
    expect(a.ring.current.equals(b.ring.current)).toBe(true);
    expect(fs.statSync(path.join(dir, "secret.key")).mode & 0o777).toBe(0o600);
    expect(a.source).toEqual({ kind: "file", file: path.join(dir, "secret.key") });
    expect(a.warning).toMatch(/inside DATA_DIR, beside the database[\s\S]*LOA_SECRET_KEY_FILE/);
  });
  it("seals and opens with AES-256-GCM, a fresh IV each time", () => {
    const box = createSecretBox(generated().ring);
    const a = box.seal("mật khẩu ứng dụng");
    expect(a).not.toBe(box.seal("mật khẩu ứng dụng"));
    expect(box.open(a)).toBe("mật khẩu ứng dụng");
  });
  it("refuses a tampered secret", () => {
    const box = createSecretBox(generated().ring);
    const sealed = box.seal("token");
    const raw = Buffer.from(sealed.slice(3), "base64");
    raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1;
    expect(() => box.open(`v1:${raw.toString("base64")}`)).toThrow();
  });
  it("refuses a configured key of the wrong length", () => {
    const load = (secretKey: string) => loadSecretKeys({ secretKey, secretKeyFile: undefined, dataDir: dir });
    expect(() => load("abcd")).toThrow(/32 bytes/);
    expect(load("ab".repeat(32)).ring.current).toHaveLength(32);
  });

  it("reads the key from LOA_SECRET_KEY_FILE outside DATA_DIR, without a warning, and refuses a file that is missing", () => {
    const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), "loa-keyfile-"));
    const file = path.join(keyDir, "loa.key");
    const config = loadConfig({ DATA_DIR: dir, LOA_SECRET_KEY_FILE: file });
    expect(() => loadSecretKeys(config)).toThrow(/LOA_SECRET_KEY_FILE: .*loa\.key does not exist/);
    writeKeyFile(file, [Buffer.alloc(32, 7)]);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const loaded = loadSecretKeys(config);
    expect(loaded.ring.current.equals(Buffer.alloc(32, 7))).toBe(true);
    expect(loaded.warning).toBeUndefined();
    expect(() => loadConfig({ LOA_SECRET_KEY: "ab".repeat(32), LOA_SECRET_KEY_FILE: file })).toThrow(/not both/);
  });

  it("opens what an older key of the ring sealed, and seals with the current one", () => {
    const older = createSecretBox(Buffer.alloc(32, 1));
    const ring = createSecretBox({ current: Buffer.alloc(32, 2), previous: [Buffer.alloc(32, 1)] });
    expect(ring.open(older.seal("cũ"))).toBe("cũ");
    const sealed = ring.seal("mới");
    expect(() => older.open(sealed)).toThrow();
    expect(createSecretBox(Buffer.alloc(32, 2)).open(sealed)).toBe("mới");
  });
});
