import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createSecretBox, loadSecretKey } from "../../content/secrets.js";

describe("channel secrets at rest", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "loa-key-"));

  it("generates a key once into the data dir, readable by its owner only", () => {
    const a = loadSecretKey(undefined, dir);
    const b = loadSecretKey(undefined, dir);
    expect(a.equals(b)).toBe(true);
    expect(fs.statSync(path.join(dir, "secret.key")).mode & 0o777).toBe(0o600);
  });
  it("seals and opens with AES-256-GCM, a fresh IV each time", () => {
    const box = createSecretBox(loadSecretKey(undefined, dir));
    const a = box.seal("mật khẩu ứng dụng");
    expect(a).not.toBe(box.seal("mật khẩu ứng dụng"));
    expect(box.open(a)).toBe("mật khẩu ứng dụng");
  });
  it("refuses a tampered secret", () => {
    const box = createSecretBox(loadSecretKey(undefined, dir));
    const sealed = box.seal("token");
    const raw = Buffer.from(sealed.slice(3), "base64");
    raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1;
    expect(() => box.open(`v1:${raw.toString("base64")}`)).toThrow();
  });
  it("refuses a configured key of the wrong length", () => {
    expect(() => loadSecretKey("abcd", dir)).toThrow(/32 bytes/);
    expect(loadSecretKey("ab".repeat(32), dir)).toHaveLength(32);
  });
});
