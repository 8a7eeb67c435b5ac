// content/library/: the shared material library (plan tasks 6.1, 6.2). DOST and the city People's
// Committee Office publish items (with their media and per-channel variants) with topics and a
// validity window; any agency copies one into its own draft, which keeps a link to its source; the
// publisher sees the reuse per material. Search ignores Vietnamese diacritics.
import crypto from "node:crypto";
import { sql } from "kysely";
import { z } from "zod";
import { assertCanWrite, readScope, visible } from "../access.js";
import { audit } from "../audit.js";
import { AppError, notFound } from "../errors.js";
import type { NewItem } from "../items/items.js";
import type { Actor, Item, ItemKind, ItemVariants } from "../model.js";
import type { Clock } from "../ports/clock.js";
import type { TextFolding } from "../ports/text.js";
import type { Db } from "../store/db.js";
import { localDate } from "../time.js";

/** The kinds of agency that publish to the library. */
export const PUBLISHER_KINDS = ["dost", "city_office"] as const;

const LocalDate = z.iso.date({ error: "a calendar date YYYY-MM-DD (Asia/Ho_Chi_Minh)" });
const Topic = z
  .string()
  .transform((s) => s.normalize("NFC").trim())
  .pipe(z.string().min(1).max(100));

export const NewMaterial = z
  .strictObject({
    itemId: z.string().min(1),
    topics: z.array(Topic).min(1).max(20),
    summary: z
      .string()
      .transform((s) => s.normalize("NFC").trim())
      .pipe(z.string().max(2_000))
      .optional(),
    validFrom: LocalDate,
    validTo: LocalDate.optional(),
  })
  .superRefine((m, ctx) => {
    if (m.validTo && m.validTo < m.validFrom) ctx.addIssue({ code: "custom", path: ["validTo"], message: "must not be before validFrom" });
  });
export type NewMaterial = z.infer<typeof NewMaterial>;

export const MaterialFilter = z.strictObject({
  /** Words to find in the title, summary, body or topics, with or without diacritics. */
  q: z.string().max(200).optional(),
  topic: z.string().max(100).optional(),
  /** `true`: also materials out of their window or withdrawn (the publisher's view). */
  all: z.enum(["true", "false"]).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const CopyRequest = z.strictObject({ agencyId: z.string().min(1) });

export interface Material {
  id: string;
  itemId: string;
  agencyId: string;
  title: string;
  kind: string;
  summary: string | null;
  topics: string[];
  validFrom: string;
  validTo: string | null;
  publishedAt: Date;
  withdrawnAt: Date | null;
}

export interface Reuse {
  materialId: string;
  copies: number;
  publications: number;
  agencies: { agencyId: string; name: string; copies: number; publications: number }[];
}

/** A word of the search, as the stored text has it; LIKE's wildcards in it are literal. */
const likeTerm = (w: string) => `%${w.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export interface LibraryDeps {
  db: Db;
  clock: Clock;
  text: TextFolding;
  /** Creates the copy as the agency's draft (the items use case: its checks and audit). */
  createItem(actor: Actor, input: NewItem): Promise<Item>;
}

export function createLibrary(deps: LibraryDeps) {
  const { db, clock, text } = deps;
  const fold = (s: string) => text.unaccent(s.normalize("NFC")).toLowerCase().replace(/\s+/g, " ").trim();

  const base = () =>
    db
      .selectFrom("library_materials")
      .innerJoin("items", "items.id", "library_materials.item_id")
      .selectAll("library_materials")
      .select(["items.title", "items.kind"]);
  type Row = Awaited<ReturnType<ReturnType<typeof base>["executeTakeFirstOrThrow"]>>;
  const toMaterial = (r: Row): Material => ({
    id: r.id,
    itemId: r.item_id,
    agencyId: r.agency_id,
    title: r.title,
    kind: r.kind,
    summary: r.summary,
    topics: JSON.parse(r.topics) as string[],
    validFrom: r.valid_from,
    validTo: r.valid_to,
    publishedAt: r.published_at,
    withdrawnAt: r.withdrawn_at,
  });

  async function load(id: string): Promise<Row> {
    const row = await base().where("library_materials.id", "=", id).executeTakeFirst();
    if (!row) throw notFound("material");
    return row;
  }

  /** Every reader sees the library (it is shared); broadcasters read their stations only. */
  const assertReader = (actor: Actor) => void readScope(actor);

  return {
    async publish(actor: Actor, input: NewMaterial): Promise<Material> {
      const item = visible(
        actor,
        await db.selectFrom("items").select(["id", "agency_id", "title", "body"]).where("id", "=", input.itemId).executeTakeFirst(),
        "item",
        "itemId",
      );
      assertCanWrite(actor, item.agency_id, "itemId");
      const agency = await db.selectFrom("agencies").select("kind").where("id", "=", item.agency_id).executeTakeFirstOrThrow();
      if (!(PUBLISHER_KINDS as readonly string[]).includes(agency.kind)) {
        throw new AppError("forbidden", "only DOST and the city People's Committee Office publish to the library", { field: "itemId" });
      }
      const now = clock.now();
      const row = {
        id: crypto.randomUUID(),
        item_id: item.id,
        agency_id: item.agency_id,
        summary: input.summary ?? null,
        topics: JSON.stringify([...new Set(input.topics)]),
        valid_from: input.validFrom,
        valid_to: input.validTo ?? null,
        search_text: fold([item.title, input.summary ?? "", item.body, ...input.topics].join(" ")),
        published_by: actor.id,
        published_at: now,
        withdrawn_at: null,
      };
      await db.transaction().execute(async (tx) => {
        await tx.insertInto("library_materials").values(row).execute();
        await audit(tx, actor, "library.publish", "material", row.id, now, { itemId: item.id, topics: input.topics });
      });
      return toMaterial(await load(row.id));
    },

    async list(actor: Actor, f: z.infer<typeof MaterialFilter>): Promise<Material[]> {
      assertReader(actor);
      let q = base();
      if (f.all !== "true") {
        const today = localDate(clock.now());
        q = q
          .where("library_materials.withdrawn_at", "is", null)
          .where("library_materials.valid_from", "<=", today)
          .where((eb) => eb.or([eb("library_materials.valid_to", "is", null), eb("library_materials.valid_to", ">=", today)]));
      }
      for (const word of fold(f.q ?? "")
        .split(" ")
        .filter(Boolean)) {
        // ESCAPE: SQLite has no default escape character for LIKE (PostgreSQL's is the same backslash).
        q = q.where(sql<boolean>`${sql.ref("library_materials.search_text")} like ${likeTerm(word)} escape '\\'`);
      }
      const rows = await q.orderBy("library_materials.published_at", "desc").orderBy("library_materials.id").execute();
      // Topics match whole, ignoring diacritics and case (`chuyen doi so` is "Chuyển đổi số").
      const topic = f.topic ? fold(f.topic) : undefined;
      return rows
        .map(toMaterial)
        .filter((m) => !topic || m.topics.some((t) => fold(t) === topic))
        .slice(f.offset, f.offset + f.limit);
    },

    async get(actor: Actor, id: string): Promise<Material> {
      assertReader(actor);
      return toMaterial(await load(id));
    },

    async withdraw(actor: Actor, id: string): Promise<Material> {
      const row = visible(actor, await load(id), "material");
      assertCanWrite(actor, row.agency_id);
      if (row.withdrawn_at) throw new AppError("conflict", "this material is already withdrawn", { field: "id" });
      const now = clock.now();
      await db.updateTable("library_materials").set({ withdrawn_at: now }).where("id", "=", id).execute();
      await audit(db, actor, "library.withdraw", "material", id, now);
      return toMaterial(await load(id));
    },

    /** The agency's own draft of the material: its text, tasks, variants and media, linked to the source. */
    async copy(actor: Actor, id: string, agencyId: string): Promise<Item & { sourceMaterialId: string }> {
      assertReader(actor);
      assertCanWrite(actor, agencyId);
      const material = toMaterial(await load(id));
      const today = localDate(clock.now());
      if (material.withdrawnAt || material.validFrom > today || (material.validTo !== null && material.validTo < today)) {
        throw new AppError("conflict", "this material is withdrawn or outside its validity window", { field: "id" });
      }
      const source = await db.selectFrom("items").selectAll().where("id", "=", material.itemId).executeTakeFirstOrThrow();
      const tasks = (await db.selectFrom("item_tasks").select("task_code").where("item_id", "=", source.id).execute()).map(
        (t) => t.task_code,
      );
      const media = await db
        .selectFrom("item_media")
        .select(["media_id", "position"])
        .where("item_id", "=", source.id)
        .orderBy("position")
        .execute();
      const item = await deps.createItem(actor, {
        agencyId,
        kind: source.kind as ItemKind,
        title: source.title,
        body: source.body,
        tasks,
        mediaIds: [],
        variants: JSON.parse(source.variants) as ItemVariants,
      });
      const now = clock.now();
      await db.transaction().execute(async (tx) => {
        // The copy shows the source's media files (they are not duplicated): the source agency owns them.
        if (media.length) {
          await tx
            .insertInto("item_media")
            .values(media.map((m) => ({ item_id: item.id, media_id: m.media_id, position: m.position })))
            .execute();
        }
        await tx
          .insertInto("library_copies")
          .values({ item_id: item.id, material_id: id, agency_id: agencyId, copied_by: actor.id, copied_at: now })
          .execute();
        await audit(tx, actor, "library.copy", "item", item.id, now, { materialId: id, sourceItemId: source.id });
      });
      return { ...item, sourceMaterialId: id };
    },

    /** Which agencies copied the material, and how many publications their copies made (Loa's and self-reported). */
    async reuse(actor: Actor, id: string): Promise<Reuse> {
      visible(actor, await load(id), "material");
      const copies = await db
        .selectFrom("library_copies")
        .innerJoin("agencies", "agencies.id", "library_copies.agency_id")
        .leftJoin("publications", "publications.item_id", "library_copies.item_id")
        .select(["library_copies.agency_id", "agencies.name", "library_copies.item_id", "publications.id as publication_id"])
        .where("library_copies.material_id", "=", id)
        .execute();
      const byAgency = new Map<string, { agencyId: string; name: string; items: Set<string>; publications: number }>();
      for (const c of copies) {
        const a = byAgency.get(c.agency_id) ?? { agencyId: c.agency_id, name: c.name, items: new Set(), publications: 0 };
        a.items.add(c.item_id);
        if (c.publication_id) a.publications += 1;
        byAgency.set(c.agency_id, a);
      }
      const agencies = [...byAgency.values()]
        .map((a) => ({ agencyId: a.agencyId, name: a.name, copies: a.items.size, publications: a.publications }))
        .sort((a, b) => b.publications - a.publications || a.agencyId.localeCompare(b.agencyId));
      return {
        materialId: id,
        copies: agencies.reduce((n, a) => n + a.copies, 0),
        publications: agencies.reduce((n, a) => n + a.publications, 0),
        agencies,
      };
    },

    /** The material an item was copied from, if any. */
    async sourceOf(itemId: string): Promise<string | undefined> {
      return (await db.selectFrom("library_copies").select("material_id").where("item_id", "=", itemId).executeTakeFirst())?.material_id;
    },
  };
}
export type Library = ReturnType<typeof createLibrary>;
