import { assertAdmin } from "../../content/access.js";
import { NewExemption } from "../../content/compliance/exemptions.js";
import { ComplianceQuery } from "../../content/compliance/matrix.js";
import { NewObligation, ObligationPatch } from "../../content/compliance/obligations.js";
import { NotificationFilter } from "../../content/compliance/reminders.js";
import { AnnualQuery, annualXlsx } from "../../content/compliance/reports/annual.js";
import { matrixCsv, matrixXlsx } from "../../content/compliance/reports/matrix-files.js";
import type { Services } from "../../content/services.js";
import { type Route, route } from "../route.js";

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const DrillQuery = ComplianceQuery.omit({ agencyId: true, format: true });

/** The compliance matrix and drill-down, declared exemptions, obligations, notifications and the annual report. */
export function complianceRoutes(s: Services): Route[] {
  return [
    route({
      method: "get",
      path: "/compliance",
      summary: "The compliance matrix of a task: agencies × periods (JSON, CSV or XLSX)",
      query: ComplianceQuery,
      handle: async ({ user, query, res }) => {
        const { format, ...q } = query;
        const m = await s.compliance.matrix(user, q);
        const name = `tuan-thu-${m.task}-${m.periods[0]}-${m.periods[m.periods.length - 1]}`;
        if (format === "csv") res.type("text/csv; charset=utf-8").attachment(`${name}.csv`).send(matrixCsv(m));
        else if (format === "xlsx")
          res
            .type(XLSX)
            .attachment(`${name}.xlsx`)
            .send(await matrixXlsx(m));
        else return m;
        return undefined;
      },
    }),
    route({
      method: "get",
      path: "/compliance/agencies/:id",
      summary: "One agency's periods of a task, with the items and evidence counted",
      query: DrillQuery,
      handle: ({ user, params, query }) => s.drillDown(user, params.id ?? "", query),
    }),
    route({
      method: "get",
      path: "/compliance/exemptions",
      summary: "Declared exemptions",
      handle: async ({ user }) => ({ data: await s.exemptions.list(user) }),
    }),
    route({
      method: "post",
      path: "/compliance/exemptions",
      summary: "Exempt an agency from a task for a period (admins)",
      body: NewExemption,
      status: 201,
      guard: assertAdmin,
      handle: ({ user, body }) => s.exemptions.create(user, body),
    }),
    route({
      method: "delete",
      path: "/compliance/exemptions/:id",
      summary: "Remove an exemption (admins)",
      status: 204,
      handle: async ({ user, params }) => {
        await s.exemptions.remove(user, params.id ?? "");
      },
    }),
    route({
      method: "get",
      path: "/obligations",
      summary: "The plan's obligations",
      handle: async ({ user }) => ({ data: await s.obligations.list(user) }),
    }),
    route({
      method: "get",
      path: "/obligations/:task",
      summary: "One obligation",
      handle: ({ user, params }) => s.obligations.get(user, params.task ?? ""),
    }),
    route({
      method: "post",
      path: "/obligations",
      summary: "Add an obligation (admins)",
      body: NewObligation,
      status: 201,
      guard: assertAdmin,
      handle: ({ user, body }) => s.obligations.create(user, body),
    }),
    route({
      method: "patch",
      path: "/obligations/:task",
      summary: "Change an obligation (admins)",
      body: ObligationPatch,
      guard: assertAdmin,
      handle: ({ user, params, body }) => s.obligations.update(user, params.task ?? "", body),
    }),
    route({
      method: "get",
      path: "/notifications",
      summary: "Notifications for the user's agency (at-risk reminders, reconnect requests)",
      query: NotificationFilter,
      handle: async ({ user, query }) => ({ data: await s.reminders.list(user, query) }),
    }),
    route({
      method: "get",
      path: "/reports/annual",
      summary: "The annual report to DOST (DOCX or XLSX)",
      query: AnnualQuery,
      handle: async ({ user, query, res }) => {
        const report = await s.annualReport(user, query.year);
        if (query.format === "xlsx")
          res
            .type(XLSX)
            .attachment(`bao-cao-nam-${query.year}.xlsx`)
            .send(await annualXlsx(report));
        else
          res
            .type(DOCX)
            .attachment(`bao-cao-nam-${query.year}.docx`)
            .send(await (await import("../../content/compliance/reports/annual-docx.js")).annualDocx(report));
      },
    }),
  ];
}
