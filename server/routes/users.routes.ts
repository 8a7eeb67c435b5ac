import { AgencyChange, listAgencies, NewAgency } from "../../content/directory/agencies.js";
import { NewUser, UserChange } from "../../content/directory/users.js";
import type { Services } from "../../content/services.js";
import { type Route, route } from "../route.js";

/** Users, the caller itself, and the agencies users belong to. */
export function userRoutes(s: Services): Route[] {
  return [
    route({ method: "get", path: "/me", summary: "The signed-in user", handle: async ({ user }) => user }),
    route({
      method: "get",
      path: "/users",
      summary: "List users (admins)",
      handle: async ({ user }) => ({ data: await s.users.list(user) }),
    }),
    route({
      method: "post",
      path: "/users",
      summary: "Create a user and its first token, shown once (admins)",
      body: NewUser,
      status: 201,
      handle: async ({ user, body }) => {
        const created = await s.users.create(user, body);
        return { ...created.user, token: created.token };
      },
    }),
    route({
      method: "patch",
      path: "/users/:id",
      summary: "Deactivate or reactivate a user (admins): a deactivated user's tokens stop working at once",
      body: UserChange,
      handle: ({ user, params, body }) => s.users.update(user, params.id ?? "", body),
    }),
    route({
      method: "get",
      path: "/agencies",
      summary: "List agencies, with their validity dates",
      handle: async () => ({ data: await listAgencies(s.db) }),
    }),
    route({
      method: "post",
      path: "/agencies",
      summary: "Add an agency (admins)",
      body: NewAgency,
      status: 201,
      handle: ({ user, body }) => s.agencies.create(user, body),
    }),
    route({
      method: "patch",
      path: "/agencies/:id",
      summary: "Rename, re-parent or end an agency (admins)",
      body: AgencyChange,
      handle: ({ user, params, body }) => s.agencies.update(user, params.id ?? "", body),
    }),
  ];
}
