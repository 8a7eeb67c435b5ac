import type { ComponentType } from "preact";
import { lazyPage, type PageProps } from "./lazy.js";
import type { MessageKey } from "./messages.js";
import AccountPage from "./pages/account.js";
import type { Me } from "./session.js";

export type Role = Me["role"];

/** A page of the app: its path (wouter syntax), who may open it, and its entry in the navigation. */
export interface PageRoute {
  path: string;
  roles: readonly Role[];
  nav?: MessageKey;
  component: ComponentType<PageProps> & { preload?: () => void };
}

/** Where each role lands after signing in. */
export const HOME: Record<Role, string> = {
  officer: "/officer/calendar",
  approver: "/approvals",
  broadcaster: "/broadcast",
  auditor: "/compliance",
  admin: "/admin",
};

const everyone: readonly Role[] = ["officer", "approver", "broadcaster", "auditor", "admin"];

/**
 * Every page, in navigation order. The broadcasters', DOST's and admins' pages live in their own files
 * under `pages/` (loaded when first opened), so each can grow without touching the others.
 */
export const PAGES: PageRoute[] = [
  { path: "/officer/calendar", roles: ["officer"], nav: "nav.calendar", component: lazyPage(() => import("./pages/officer/calendar.js")) },
  { path: "/officer/items/new", roles: ["officer"], nav: "nav.compose", component: lazyPage(() => import("./pages/officer/compose.js")) },
  { path: "/officer/items/:id", roles: ["officer", "admin"], component: lazyPage(() => import("./pages/officer/compose.js")) },
  { path: "/approvals", roles: ["approver", "admin"], nav: "nav.approvals", component: lazyPage(() => import("./pages/approvals.js")) },
  { path: "/broadcast", roles: ["broadcaster"], nav: "nav.broadcast", component: lazyPage(() => import("./pages/broadcaster.js")) },
  { path: "/compliance", roles: ["auditor", "admin"], nav: "nav.compliance", component: lazyPage(() => import("./pages/compliance.js")) },
  { path: "/admin", roles: ["admin"], nav: "nav.admin", component: lazyPage(() => import("./pages/admin.js")) },
  { path: "/account", roles: everyone, nav: "nav.account", component: AccountPage },
];

export const pagesFor = (role: Role) => PAGES.filter((p) => p.roles.includes(role));
