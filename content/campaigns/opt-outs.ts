import crypto from "node:crypto";
import { assertCanWrite } from "../access.js";
import type { Actor } from "../model.js";
import type { Clock } from "../ports/clock.js";
import type { SecretBox } from "../secrets.js";
import type { Db } from "../store/db.js";
import { normalizePhone } from "./phones.js";

const KEY_ID = "opt-out";

/** The opt-out list: numbers no campaign ever sends to, kept only as an HMAC of the E.164 number. */
export function createOptOuts(db: Db, box: SecretBox, clock: Clock) {
  let key: Buffer | undefined;

  /** The hash key: made once, stored sealed, so every process hashes alike. */
  async function hashKey(): Promise<Buffer> {
    if (key) return key;
    const read = () => db.selectFrom("sms_keys").select("secret").where("id", "=", KEY_ID).executeTakeFirst();
    let row = await read();
    if (!row) {
      await db
        .insertInto("sms_keys")
        .values({ id: KEY_ID, secret: box.seal(crypto.randomBytes(32).toString("base64")), created_at: clock.now() })
        .onConflict((oc) => oc.column("id").doNothing())
        .execute();
      row = await read();
    }
    if (!row) throw new Error("the opt-out key could not be stored");
    key = Buffer.from(box.open(row.secret), "base64");
    return key;
  }

  async function hashes(e164s: string[]): Promise<string[]> {
    const k = await hashKey();
    return e164s.map((p) => crypto.createHmac("sha256", k).update(p).digest("hex"));
  }

  return {
    hashes,

    /** The token of a channel's callback URL (HTTP gateways' receipts and inbound messages), from the same sealed key. */
    async callbackToken(channelId: string): Promise<string> {
      return crypto
        .createHmac("sha256", await hashKey())
        .update(`callback:${channelId}`)
        .digest("hex")
        .slice(0, 40);
    },

    /** Adds E.164 numbers (already normalised) to the list; answers how many were new. */
    async addNormalised(e164s: string[], source: string): Promise<number> {
      if (e164s.length === 0) return 0;
      const now = clock.now();
      const result = await db
        .insertInto("sms_opt_outs")
        .values((await hashes(e164s)).map((hash) => ({ hash, source, created_at: now })))
        .onConflict((oc) => oc.column("hash").doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0);
    },

    /** `POST /api/sms/opt-outs`: any writer may add numbers (a citizen asked by phone, at a desk). */
    async add(actor: Actor, phones: string[]) {
      if (actor.role !== "system") assertCanWrite(actor, actor.agencyId ?? "", "phones");
      const results = phones.map(normalizePhone);
      const ok = [...new Set(results.flatMap((r) => (r.e164 ? [r.e164] : [])))];
      const added = await this.addNormalised(ok, `api:${actor.id}`);
      return {
        added,
        already: ok.length - added,
        refused: results.flatMap((r, i) => (r.error ? [{ index: i, input: r.input, error: r.error }] : [])),
      };
    },

    /** Which of these E.164 numbers opted out. */
    async optedOut(e164s: string[]): Promise<Set<string>> {
      if (e164s.length === 0) return new Set();
      const hs = await hashes(e164s);
      const found = new Set((await db.selectFrom("sms_opt_outs").select("hash").where("hash", "in", hs).execute()).map((r) => r.hash));
      return new Set(e164s.filter((_p, i) => found.has(hs[i] ?? "")));
    },
  };
}
export type OptOuts = ReturnType<typeof createOptOuts>;
