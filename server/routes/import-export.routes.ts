import { ImportQuery, MAX_IMPORT_BYTES } from "../../content/items/import.js";
import { ExportQuery } from "../../content/publishing/export.js";
import type { Services } from "../../content/services.js";
import { writersOnly } from "../auth.js";
import { type Route, route } from "../route.js";

/** A batch of items with their schedule in (CSV, XLSX), an agency's schedule and publications out. */
export function importExportRoutes(s: Services): Route[] {
  return [
    route({
      method: "post",
      path: "/items/import",
      summary: "Import items with their schedule from a CSV or XLSX sheet (raw body): all rows, or none with each error's row and column",
      bodyType: "raw",
      rawLimit: MAX_IMPORT_BYTES,
      guard: writersOnly,
      query: ImportQuery,
      status: 201,
      handle: ({ user, query, req }) => {
        const data = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        return s.importItems(user, query, data, req.get("content-type") ?? "");
      },
    }),
    route({
      method: "get",
      path: "/export",
      summary: "An agency's schedule (deliveries) or publications between from and to, as CSV or XLSX",
      query: ExportQuery,
      handle: async ({ user, query, res }) => {
        const file = await s.exportFile(user, query);
        res.type(file.type).attachment(file.name).send(file.data);
      },
    }),
  ];
}
