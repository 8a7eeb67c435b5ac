import fs from "node:fs";
import { z } from "zod";
import type { Db } from "../store/db.js";

/** The shape of `data/can-tho-communes-2025.json`: the commune-level units from 1 July 2025, with their source. */
export const CommunesData = z.object({
  $comment: z.string().optional(),
  about: z.string(),
  source: z.string().min(1),
  validFrom: z.iso.date(),
  counts: z.object({ ward: z.number().int(), commune: z.number().int() }),
  units: z.array(z.strictObject({ name: z.string().min(1), kind: z.enum(["ward", "commune"]), rearranged: z.boolean() })),
});
export type CommunesData = z.infer<typeof CommunesData>;

export const DEFAULT_COMMUNES_FILE = new URL("./data/can-tho-communes-2025.json", import.meta.url);

export function readCommunes(file: URL | string = DEFAULT_COMMUNES_FILE): CommunesData {
  const data = CommunesData.parse(JSON.parse(fs.readFileSync(file, "utf8")));
  const wards = data.units.filter((u) => u.kind === "ward").length;
  if (wards !== data.counts.ward || data.units.length - wards !== data.counts.commune) {
    throw new Error(`${String(file)}: the units do not add up to the counts it declares`);
  }
  return data;
}

/** A stable, readable id from a unit's name: `Phường Long Phú 1` → `phuong-long-phu-1`, `Xã Đại Hải` → `xa-dai-hai`. */
export function communeId(name: string): string {
  return name
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .replace(/[đĐ]/g, "d")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

/**
 * The agencies rows of the units: kind `commune` for wards and communes alike (the commune level,
 * cấp xã, of the two-level local government; the name says phường or xã), valid from 1 July 2025.
 */
export function communeRows(data: CommunesData = readCommunes()) {
  const rows = data.units.map((u) => {
    const id = communeId(u.name);
    const name = u.name.normalize("NFC");
    return { id, code: id, name, kind: "commune", parent_id: null, valid_from: data.validFrom, valid_to: null };
  });
  if (new Set(rows.map((r) => r.id)).size !== rows.length) throw new Error("two communes or wards have the same id");
  return rows;
}

/**
 * Adds the units that are missing: an agency with the same id, or already carrying the same name
 * (one an admin added by hand), is left exactly as it is. Answers how many were added.
 */
export async function seedCommunes(db: Db, data: CommunesData = readCommunes()): Promise<number> {
  const existing = await db.selectFrom("agencies").select(["id", "name"]).execute();
  const ids = new Set(existing.map((a) => a.id));
  const names = new Set(existing.map((a) => a.name.normalize("NFC")));
  const missing = communeRows(data).filter((r) => !ids.has(r.id) && !names.has(r.name));
  if (missing.length) await db.insertInto("agencies").values(missing).execute();
  return missing.length;
}
