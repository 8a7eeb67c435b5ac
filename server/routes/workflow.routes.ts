import { ApprovalQueueQuery, DecisionRequest, ReturnRequest } from "../../content/items/approval.js";
import { NewComment } from "../../content/items/comments.js";
import { ItemChange } from "../../content/items/lifecycle.js";
import type { Services } from "../../content/services.js";
import { type Route, route } from "../route.js";

/** A decision may carry a comment; the body may be absent altogether. */
const OptionalDecision = DecisionRequest.optional();

/** The editorial workflow: editing, deleting, duplicating and archiving items; approval; comments. */
export function workflowRoutes(s: Services): Route[] {
  const id = (p: Record<string, string>) => p.id ?? "";
  return [
    route({
      method: "patch",
      path: "/items/:id",
      summary: "Edit an item: scheduled deliveries carry the change, their channels' checks run again (422 listing problems)",
      body: ItemChange,
      handle: ({ user, params, body }) => s.lifecycle.update(user, id(params), body),
    }),
    route({
      method: "delete",
      path: "/items/:id",
      summary: "Delete an item nothing of which was published or is publishing (otherwise 409: archive it)",
      status: 204,
      handle: async ({ user, params }) => {
        await s.lifecycle.remove(user, id(params));
      },
    }),
    route({
      method: "post",
      path: "/items/:id/duplicate",
      summary: "A new draft with the same content and media, without deliveries",
      status: 201,
      handle: ({ user, params }) => s.lifecycle.duplicate(user, id(params)),
    }),
    route({
      method: "post",
      path: "/items/:id/archive",
      summary: "Archive an item: its scheduled and held deliveries are cancelled",
      handle: ({ user, params }) => s.lifecycle.archive(user, id(params)),
    }),
    route({
      method: "post",
      path: "/items/:id/unarchive",
      summary: "Bring an archived item back to the status it had",
      handle: ({ user, params }) => s.lifecycle.unarchive(user, id(params)),
    }),
    route({
      method: "post",
      path: "/items/:id/submit",
      summary: "Submit a draft for approval",
      body: OptionalDecision,
      handle: ({ user, params, body }) => s.approval.submit(user, id(params), body?.comment),
    }),
    route({
      method: "post",
      path: "/items/:id/approve",
      summary: "Approve an item (its approver; its officers when the agency approves its own; admins): held deliveries go out",
      body: OptionalDecision,
      handle: ({ user, params, body }) => s.approval.approve(user, id(params), body?.comment),
    }),
    route({
      method: "post",
      path: "/items/:id/return",
      summary: "Return a submitted item to its officer as a draft, with a comment",
      body: ReturnRequest,
      handle: ({ user, params, body }) => s.approval.return(user, id(params), body.comment),
    }),
    route({
      method: "get",
      path: "/items/:id/history",
      summary: "Every status transition of an item: who, when, the comment",
      handle: async ({ user, params }) => ({ data: await s.approval.history(user, id(params)) }),
    }),
    route({
      method: "get",
      path: "/approvals",
      summary: "The approvers' queue: submitted items waiting for the caller's decision",
      query: ApprovalQueueQuery,
      handle: async ({ user, query }) => ({ data: await s.approval.queue(user, query) }),
    }),
    route({
      method: "get",
      path: "/items/:id/comments",
      summary: "An item's comments, threaded",
      handle: async ({ user, params }) => ({ data: await s.comments.list(user, id(params)) }),
    }),
    route({
      method: "post",
      path: "/items/:id/comments",
      summary: "Comment on an item (a reply with parentId); @mentions notify",
      body: NewComment,
      status: 201,
      handle: ({ user, params, body }) => s.comments.create(user, id(params), body),
    }),
  ];
}
