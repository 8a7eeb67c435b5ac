import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Config } from "./config.js";
import type { Db } from "./store/db.js";

/** Encrypts channel credentials at rest with AES-256-GCM; the keys never leave this object. */
export interface SecretBox {
  seal(plain: string): string;
  open(sealed: string): string;
}

/** The key that seals, and older keys that still open what they sealed (during and after a rotation). */
export interface KeyRing {
  current: Buffer;
  previous: Buffer[];
}

const VERSION = "v1";
const KEY_ERROR = "must be 32 bytes (64 hex characters or 44 base64 characters)";

export function createSecretBox(keys: Buffer | KeyRing): SecretBox {
  const ring = Buffer.isBuffer(keys) ? { current: keys, previous: [] } : keys;
  const all = [ring.current, ...ring.previous];
  if (all.some((k) => k.length !== 32)) throw new Error(`LOA_SECRET_KEY ${KEY_ERROR}`);
  const openWith = (key: Buffer, raw: Buffer) => {
    const decipher = crypto.createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
  };
  return {
    seal(plain) {
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv("aes-256-gcm", ring.current, iv);
      const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
      return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), data]).toString("base64")}`;
    },
    open(sealed) {
      const [version, payload] = sealed.split(":");
      if (version !== VERSION || !payload) throw new Error("unknown secret format");
      const raw = Buffer.from(payload, "base64");
      // GCM authenticates: a wrong key fails, so each key of the ring is tried in turn, the current one first.
      let last: unknown;
      for (const key of all) {
        try {
          return openWith(key, raw);
        } catch (err) {
          last = err;
        }
      }
      throw last instanceof Error ? last : new Error("the secret does not open with any configured key");
    },
  };
}

/** Parses one key, hex or base64; `what` names where it came from in the error. */
export function parseKey(text: string, what = "LOA_SECRET_KEY"): Buffer {
  const t = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(t) ? Buffer.from(t, "hex") : Buffer.from(t, "base64");
  if (key.length !== 32) throw new Error(`${what} ${KEY_ERROR}`);
  return key;
}

/** Keys, one per line (or comma-separated): the first seals, the others only open. `#` starts a comment. */
export function parseKeyRing(text: string, what: string): KeyRing {
  const keys = text
    .split(/[\n,]/)
    .map((l) => l.replace(/#.*/, "").trim())
    .filter(Boolean)
    .map((k) => parseKey(k, what));
  const [current, ...previous] = keys;
  if (!current) throw new Error(`${what} holds no key`);
  return { current, previous };
}

/** A key file as Loa writes it: the current key, then any older key still accepted, readable by its owner only. */
export function writeKeyFile(file: string, keys: Buffer[]): void {
  const text = `${keys.map((k) => k.toString("hex")).join("\n")}\n`;
  const tmp = `${file}.${process.pid}.tmp`;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(tmp, "wx", 0o600);
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  // A rename is atomic: readers see the old file or the new one, never half of one.
  fs.renameSync(tmp, file);
}

export interface LoadedKeys {
  ring: KeyRing;
  /** Where the keys are: `LOA_SECRET_KEY` (the environment) or the key file's path. */
  source: { kind: "env" } | { kind: "file"; file: string };
  /** Set when the key sits beside the database, where one copy of `DATA_DIR` gives away every secret. */
  warning: string | undefined;
}

const inside = (dir: string, file: string) => {
  const rel = path.relative(path.resolve(dir), path.resolve(file));
  return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel);
};

/**
 * The encryption keys: `LOA_SECRET_KEY`, else the file `LOA_SECRET_KEY_FILE` names (which must
 * exist), else `DATA_DIR/secret.key`, generated at first start (mode 0600).
 */
export function loadSecretKeys(config: Pick<Config, "secretKey" | "secretKeyFile" | "dataDir">): LoadedKeys {
  if (config.secretKey) return { ring: parseKeyRing(config.secretKey, "LOA_SECRET_KEY"), source: { kind: "env" }, warning: undefined };
  const file = config.secretKeyFile ?? path.join(config.dataDir, "secret.key");
  if (config.secretKeyFile && !fs.existsSync(file)) {
    throw new Error(
      `LOA_SECRET_KEY_FILE: ${file} does not exist. Move the existing key there (DATA_DIR/secret.key), or create a new one before any secret is stored: (umask 077; openssl rand -hex 32 > ${file})`,
    );
  }
  if (!config.secretKeyFile) {
    fs.mkdirSync(config.dataDir, { recursive: true });
    try {
      fs.writeFileSync(file, `${crypto.randomBytes(32).toString("hex")}\n`, { mode: 0o600, flag: "wx" });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
  }
  const ring = parseKeyRing(fs.readFileSync(file, "utf8"), file);
  const warning = inside(config.dataDir, file)
    ? `the encryption key ${file} is inside DATA_DIR, beside the database: whoever copies DATA_DIR (a backup) can read every channel's credentials. Move it out and set LOA_SECRET_KEY_FILE (README, "Where the key lives")`
    : undefined;
  return { ring, source: { kind: "file", file }, warning };
}

/**
 * Re-encrypts every sealed value with `next`'s current key, in one transaction: until it commits,
 * every value is still the old ciphertext (the old key opens them all); after, every one is new.
 * `next` must also hold the old keys, to open them. Answers how many values it re-encrypted.
 * Sealed columns: `channels.secret`, `sms_keys.secret` (add any new sealed column here).
 */
export async function reencryptSecrets(db: Db, next: SecretBox, postgres: boolean): Promise<number> {
  return db.transaction().execute(async (tx) => {
    let q = tx.selectFrom("channels").select(["id", "secret"]).where("secret", "is not", null);
    // Rows are locked so that a token refresh cannot write an old-key secret between the read and the commit.
    if (postgres) q = q.forUpdate();
    const rows = await q.execute();
    for (const row of rows) {
      if (!row.secret) continue;
      await tx
        .updateTable("channels")
        .set({ secret: next.seal(next.open(row.secret)) })
        .where("id", "=", row.id)
        .execute();
    }
    const keys = await tx.selectFrom("sms_keys").select(["id", "secret"]).execute();
    for (const k of keys) {
      await tx
        .updateTable("sms_keys")
        .set({ secret: next.seal(next.open(k.secret)) })
        .where("id", "=", k.id)
        .execute();
    }
    return rows.length + keys.length;
  });
}
