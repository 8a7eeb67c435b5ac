import crypto from "node:crypto";
import { z } from "zod";
import { assertCanWrite, visible, visibleOnly } from "../access.js";
import { audit } from "../audit.js";
import { AppError } from "../errors.js";
import { type Actor, type AgencyApproval, type ItemStatus, SYSTEM } from "../model.js";
import type { EventSink } from "../notify/events.js";
import { agencyUsers, notifyUsers } from "../notify/notifications.js";
import type { Clock } from "../ports/clock.js";
import type { DeliveryService } from "../publishing/deliveries.js";
import type { DeliveryState } from "../publishing/delivery-state.js";
import type { Db } from "../store/db.js";
import type { ItemRow } from "../store/schema.js";
import { localDate } from "../time.js";
import { contentHash, type ItemContent, readContent } from "./content.js";

export const ReturnRequest = z.strictObject({
  comment: z
    .string()
    .transform((s) => s.normalize("NFC").trim())
    .pipe(z.string().min(1, "say what must change").max(5_000)),
});
export const DecisionRequest = z.strictObject({
  comment: z
    .string()
    .transform((s) => s.normalize("NFC").trim())
    .pipe(z.string().max(5_000))
    .optional(),
});
export const ApprovalQueueQuery = z.strictObject({
  agencyId: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
export type ApprovalQueueQuery = z.infer<typeof ApprovalQueueQuery>;

export interface Transition {
  id: string;
  itemId: string;
  action: string;
  from: ItemStatus | null;
  to: ItemStatus;
  actorId: string;
  actorName: string | null;
  comment: string | null;
  contentHash: string | null;
  at: Date;
}

/** One line of an item's history (and of the audit log): who moved it from which status to which, when, why. */
export async function recordTransition(
  tx: Db,
  item: Pick<ItemRow, "id" | "agency_id">,
  from: string | null,
  to: string,
  action: string,
  actor: Actor,
  at: Date,
  comment: string | null = null,
  hash: string | null = null,
  details: Record<string, unknown> = {},
) {
  await tx
    .insertInto("item_transitions")
    .values({
      id: crypto.randomUUID(),
      item_id: item.id,
      agency_id: item.agency_id,
      from_status: from,
      to_status: to,
      action,
      actor_id: actor.id,
      comment,
      content_hash: hash,
      occurred_at: at,
    })
    .execute();
  await audit(tx, actor, `item.${action}`, "item", item.id, at, { from, to, ...(comment ? { comment } : {}), ...details }, item.agency_id);
}

/** Who decides on an agency's items: admins; the agency's approvers; its officers when the agency approves its own. */
export function mayApprove(actor: Actor, agencyId: string, approval: AgencyApproval): boolean {
  if (actor.role === "admin" || actor.role === "system") return true;
  if (actor.agencyId !== agencyId) return false;
  return actor.role === "approver" || (actor.role === "officer" && approval === "self");
}

/**
 * Approval by someone accountable: `draft → submitted → approved`, or back to `draft` with a comment.
 * Deliveries scheduled before approval are `held`; approval releases them. The approved version is
 * frozen by its content hash: a change after approval (`afterChange`) sends the item back to
 * `submitted` and holds its deliveries again, unless an admin made it (the admin is accountable).
 */
export function createApproval(db: Db, clock: Clock, state: DeliveryState, deliveries: DeliveryService, events: () => EventSink) {
  async function load(actor: Actor, id: string) {
    const item = visible(actor, await db.selectFrom("items").selectAll().where("id", "=", id).executeTakeFirst(), "item");
    const agency = await db
      .selectFrom("agencies")
      .select(["id", "name", "approval"])
      .where("id", "=", item.agency_id)
      .executeTakeFirstOrThrow();
    return { item, agency: { ...agency, approval: agency.approval as AgencyApproval } };
  }

  /** Moves the item from one of `from` to `to`, or 409 naming its status (a concurrent decision loses). */
  async function move(tx: Db, item: ItemRow, from: string[], to: string, values: { approved_hash?: string | null } = {}) {
    const moved = await tx
      .updateTable("items")
      .set({ status: to, updated_at: clock.now(), ...values })
      .where("id", "=", item.id)
      .where("status", "in", from)
      .returning("id")
      .executeTakeFirst();
    if (!moved) throw new AppError("conflict", `the item is ${item.status}; this needs it ${from.join(" or ")}`, { field: "status" });
  }

  async function tellApprovers(item: ItemRow, agencyName: string, actor: Actor, at: Date) {
    const approvers = (await agencyUsers(db, item.agency_id, ["approver"])).map((u) => u.id);
    await notifyUsers(db, {
      agencyId: item.agency_id,
      userIds: approvers,
      kind: "approval_requested",
      key: `approval_requested:${item.id}:${at.getTime()}`,
      period: localDate(at),
      title: `Chờ duyệt: ${item.title}`,
      body: `${actor.name} đã gửi duyệt tin, bài "${item.title}" của ${agencyName}.`,
      data: { itemId: item.id },
      at,
    });
  }

  /** An item waits for approval (submitted, or changed after approval): its approvers and the webhooks hear of it. */
  async function announce(item: ItemRow, agencyName: string, actor: Actor, now: Date, changed = false) {
    await tellApprovers(item, agencyName, actor, now);
    await events().emit({
      event: "item.submitted",
      key: `item.submitted:${item.id}:${now.getTime()}`,
      agencyId: item.agency_id,
      data: { itemId: item.id, title: item.title, submittedBy: actor.id, ...(changed ? { changedAfterApproval: true } : {}) },
      at: now,
    });
  }

  async function tellAuthor(item: ItemRow, kind: string, title: string, body: string, at: Date) {
    if (!item.created_by) return;
    await notifyUsers(db, {
      agencyId: item.agency_id,
      userIds: [item.created_by],
      kind,
      key: `${kind}:${item.id}:${at.getTime()}`,
      period: localDate(at),
      title,
      body,
      data: { itemId: item.id },
      at,
    });
  }

  const api = {
    /** `POST /api/items/:id/submit`: a writer asks for approval. */
    async submit(actor: Actor, id: string, comment?: string) {
      const { item, agency } = await load(actor, id);
      assertCanWrite(actor, item.agency_id);
      const now = clock.now();
      await db.transaction().execute(async (tx) => {
        await move(tx, item, ["draft"], "submitted");
        await recordTransition(tx, item, item.status, "submitted", "submit", actor, now, comment ?? null);
      });
      await announce(item, agency.name, actor, now);
      return { id: item.id, status: "submitted" as const };
    },

    /** `POST /api/items/:id/approve`: freezes this version by its hash and releases the held deliveries. */
    async approve(actor: Actor, id: string, comment?: string) {
      const { item, agency } = await load(actor, id);
      if (!mayApprove(actor, item.agency_id, agency.approval)) {
        throw new AppError(
          "forbidden",
          actor.role === "officer" ? `${agency.name}'s items are approved by its approver` : `the ${actor.role} role cannot approve`,
        );
      }
      // The approver decides on what was submitted; those accountable themselves (admins, officers of a `self` agency) may skip submitting.
      const from = actor.role === "approver" ? ["submitted"] : ["draft", "submitted"];
      const now = clock.now();
      const hash = contentHash(await readContent(db, item.id));
      const released = await db.transaction().execute(async (tx) => {
        await move(tx, item, from, "approved", { approved_hash: hash });
        await recordTransition(tx, item, item.status, "approved", "approve", actor, now, comment ?? null, hash);
        return state.release(tx, item.id);
      });
      await deliveries.released(released);
      if (item.created_by !== actor.id)
        await tellAuthor(item, "item_approved", `Đã duyệt: ${item.title}`, `${actor.name} đã duyệt tin, bài "${item.title}".`, now);
      await events().emit({
        event: "item.approved",
        key: `item.approved:${item.id}:${hash}:${now.getTime()}`,
        agencyId: item.agency_id,
        data: { itemId: item.id, title: item.title, approvedBy: actor.id, contentHash: hash, released: released.map((r) => r.id) },
        at: now,
      });
      return { id: item.id, status: "approved" as const, contentHash: hash, released: released.length };
    },

    /** `POST /api/items/:id/return {"comment"}`: back to the officer as a draft, saying what must change. */
    async return(actor: Actor, id: string, comment: string) {
      const { item, agency } = await load(actor, id);
      if (!mayApprove(actor, item.agency_id, agency.approval))
        throw new AppError("forbidden", `the ${actor.role} role cannot return items`);
      const now = clock.now();
      await db.transaction().execute(async (tx) => {
        await move(tx, item, ["submitted"], "draft");
        await recordTransition(tx, item, item.status, "draft", "return", actor, now, comment);
      });
      await tellAuthor(item, "item_returned", `Cần sửa: ${item.title}`, `${actor.name} trả lại tin, bài "${item.title}": ${comment}`, now);
      return { id: item.id, status: "draft" as const, comment };
    },

    /** `GET /api/approvals`: submitted items waiting for the caller's decision (their agency's; an admin's: all). */
    async queue(actor: Actor, q: ApprovalQueueQuery) {
      let query = visibleOnly(
        actor,
        db
          .selectFrom("items")
          .innerJoin("agencies", "agencies.id", "items.agency_id")
          .select(["items.id", "items.agency_id", "items.title", "items.kind", "items.created_by", "items.updated_at", "agencies.approval"])
          .where("items.status", "=", "submitted"),
        "items.agency_id",
      );
      if (q.agencyId) query = query.where("items.agency_id", "=", q.agencyId);
      const rows = await query.orderBy("items.updated_at").orderBy("items.id").limit(q.limit).offset(q.offset).execute();
      const ids = rows.map((r) => r.id);
      const held = ids.length
        ? await db
            .selectFrom("deliveries")
            .select(["item_id", "scheduled_at"])
            .where("item_id", "in", ids)
            .where("status", "=", "held")
            .orderBy("scheduled_at")
            .execute()
        : [];
      const submitted = ids.length
        ? await db
            .selectFrom("item_transitions")
            .select(["item_id", "actor_id", "occurred_at"])
            .where("item_id", "in", ids)
            .where("to_status", "=", "submitted")
            .orderBy("occurred_at", "desc")
            .execute()
        : [];
      return rows
        .filter((r) => mayApprove(actor, r.agency_id, r.approval as AgencyApproval) || actor.role === "auditor")
        .map((r) => {
          const mine = held.filter((h) => h.item_id === r.id);
          const last = submitted.find((s) => s.item_id === r.id);
          return {
            itemId: r.id,
            agencyId: r.agency_id,
            title: r.title,
            kind: r.kind,
            createdBy: r.created_by,
            submittedBy: last?.actor_id ?? null,
            submittedAt: last?.occurred_at ?? r.updated_at,
            heldDeliveries: mine.length,
            firstHeldAt: mine[0]?.scheduled_at ?? null,
          };
        });
    },

    /** `GET /api/items/:id/history`: every transition, oldest first, with who, when and the comment. */
    async history(actor: Actor, id: string): Promise<Transition[]> {
      await load(actor, id);
      const rows = await db
        .selectFrom("item_transitions")
        .leftJoin("users", "users.id", "item_transitions.actor_id")
        .selectAll("item_transitions")
        .select("users.name as actor_name")
        .where("item_id", "=", id)
        .orderBy("occurred_at")
        .orderBy("item_transitions.id")
        .execute();
      return rows.map((r) => ({
        id: r.id,
        itemId: r.item_id,
        action: r.action,
        from: r.from_status as ItemStatus | null,
        to: r.to_status as ItemStatus,
        actorId: r.actor_id,
        actorName: r.actor_name ?? (r.actor_id === "system" ? "system" : null),
        comment: r.comment,
        contentHash: r.content_hash,
        at: r.occurred_at,
      }));
    },

    /**
     * Whether an item may go out as it now is. An approved item whose content no longer hashes to the
     * approved version (changed by a route other than PATCH: media attached, the read-aloud text) goes
     * back to `submitted` with its deliveries held, and answers false. Items never approved under this
     * rule (created before migration 012, or not approved) are left as they are.
     */
    async enforceFreeze(itemId: string, actor?: Actor, known?: { item: ItemRow; content: ItemContent }): Promise<boolean> {
      const item = known?.item ?? (await db.selectFrom("items").selectAll().where("id", "=", itemId).executeTakeFirst());
      if (item?.status !== "approved" || item.approved_hash === null) return true;
      const hash = contentHash(known?.content ?? (await readContent(db, itemId)));
      if (hash === item.approved_hash) return true;
      const now = clock.now();
      // Who changed it is unknown at publish time: the change then needs approval, as anyone's but an admin's.
      const outcome = await db.transaction().execute((tx) => api.afterChange(tx, actor ?? SYSTEM, item, hash, now));
      await deliveries.withdrawn(outcome.held);
      if (outcome.status === "submitted") await api.announceChanged(item, actor ?? SYSTEM, now);
      return outcome.status === "approved";
    },

    /** After `afterChange` sent an approved item back to `submitted` (once its transaction committed). */
    async announceChanged(item: ItemRow, actor: Actor, now: Date): Promise<void> {
      const agency = await db.selectFrom("agencies").select("name").where("id", "=", item.agency_id).executeTakeFirst();
      await announce(item, agency?.name ?? item.agency_id, actor, now, true);
    },

    /**
     * After an item's content changed (inside the caller's transaction): an approved item whose hash
     * moved goes back to `submitted` with its deliveries held, unless an admin changed it, whose
     * approval then covers the new version. Answers the deliveries held now.
     */
    async afterChange(tx: Db, actor: Actor, item: ItemRow, hash: string, now: Date): Promise<{ status: string; held: string[] }> {
      if (item.status !== "approved" || item.approved_hash === hash) return { status: item.status, held: [] };
      if (actor.role === "admin") {
        await tx.updateTable("items").set({ approved_hash: hash }).where("id", "=", item.id).execute();
        await recordTransition(tx, item, "approved", "approved", "approve", actor, now, "changed by an admin", hash);
        return { status: "approved", held: [] };
      }
      await tx.updateTable("items").set({ status: "submitted" }).where("id", "=", item.id).execute();
      await recordTransition(tx, item, "approved", "submitted", "changed_after_approval", actor, now, null, hash);
      const held = await state.hold(tx, item.id);
      return { status: "submitted", held: held.map((d) => d.id) };
    },
  };
  return api;
}
export type Approval = ReturnType<typeof createApproval>;
