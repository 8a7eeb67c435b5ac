import { CopyRequest, MaterialFilter, NewMaterial } from "../../content/library/library.js";
import type { Services } from "../../content/services.js";
import { type Route, route } from "../route.js";

/** The shared library (plan tasks 6.1, 6.2): DOST's and the city office's materials, copies and their reuse. */
export function libraryRoutes(s: Services): Route[] {
  return [
    route({
      method: "get",
      path: "/library",
      summary: "Materials of the shared library valid today; q searches title, summary, body and topics ignoring diacritics",
      query: MaterialFilter,
      handle: async ({ user, query }) => ({ data: await s.library.list(user, query) }),
    }),
    route({
      method: "post",
      path: "/library",
      summary: "Publish an item of DOST or the city People's Committee Office to the library, with topics and a validity window",
      body: NewMaterial,
      status: 201,
      handle: ({ user, body }) => s.library.publish(user, body),
    }),
    route({
      method: "get",
      path: "/library/:id",
      summary: "One material",
      handle: ({ user, params }) => s.library.get(user, params.id ?? ""),
    }),
    route({
      method: "delete",
      path: "/library/:id",
      summary: "Withdraw a material (copies already made stay)",
      handle: ({ user, params }) => s.library.withdraw(user, params.id ?? ""),
    }),
    route({
      method: "post",
      path: "/library/:id/copy",
      summary: "Copy a material into the agency's own draft, keeping a link to its source",
      body: CopyRequest,
      status: 201,
      handle: ({ user, params, body }) => s.library.copy(user, params.id ?? "", body.agencyId),
    }),
    route({
      method: "get",
      path: "/library/:id/reuse",
      summary: "Which agencies copied the material and how many publications their copies made",
      handle: ({ user, params }) => s.library.reuse(user, params.id ?? ""),
    }),
  ];
}
