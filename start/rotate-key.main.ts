// `npm run rotate-key`: re-encrypts every stored secret with a new key, in one transaction.
//
// With a key file (LOA_SECRET_KEY_FILE, or the generated DATA_DIR/secret.key), the new key is written
// to it first, above the old one, so that a crash at any moment leaves a file that opens every secret;
// once the transaction has committed, the file keeps the new key only. With LOA_SECRET_KEY, the new
// key is printed (before anything changes) for the operator to set on every machine.
import crypto from "node:crypto";
import { loadConfig } from "../content/config.js";
import { createSecretBox, loadSecretKeys, reencryptSecrets, writeKeyFile } from "../content/secrets.js";
import { openDb } from "../content/store/db.js";
import { migrate } from "../content/store/migrate.js";

const out = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const { ring, source } = loadSecretKeys(config);
  const old = [ring.current, ...ring.previous];
  const next = crypto.randomBytes(32);
  const box = createSecretBox({ current: next, previous: old });
  const { db, close } = await openDb(config.database);
  try {
    const postgres = config.database.kind === "postgres";
    await migrate(db, config.database.kind === "postgres" ? config.database.schema : undefined);
    if (source.kind === "file") writeKeyFile(source.file, [next, ...old]);
    else out(`new key (set LOA_SECRET_KEY to it on every machine, then restart them): ${next.toString("hex")}`);
    let count: number;
    try {
      count = await reencryptSecrets(db, box, postgres);
    } catch (err) {
      if (source.kind === "file") writeKeyFile(source.file, old);
      throw new Error(`nothing was re-encrypted, the old key still opens every secret: ${(err as Error).message}`);
    }
    if (source.kind === "file") writeKeyFile(source.file, [next]);
    const where = source.kind === "file" ? `in ${source.file}` : "the one printed above, in LOA_SECRET_KEY";
    out(`re-encrypted ${count} secret${count === 1 ? "" : "s"}; the new key is ${where}; the old key no longer opens them.`);
    out("Restart every Loa process so that it loads the new key, and back the key up apart from the database.");
  } finally {
    await close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`rotate-key failed: ${(err as Error).message}\n`);
  process.exit(1);
});
