import { Router } from "express";
import { assertAdmin } from "../../content/access.js";
import { NewExemption } from "../../content/compliance/exemptions.js";
import { ComplianceQuery } from "../../content/compliance/matrix.js";
import { NewObligation, ObligationPatch } from "../../content/compliance/obligations.js";
import { NotificationFilter } from "../../content/compliance/reminders.js";
import { AnnualQuery, annualDocx, annualXlsx } from "../../content/compliance/reports/annual.js";
import { matrixCsv, matrixXlsx } from "../../content/compliance/reports/matrix-files.js";
import type { Services } from "../../content/services.js";
import { userOf } from "../auth.js";
import { parse } from "../validate.js";

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const DrillQuery = ComplianceQuery.omit({ agencyId: true, format: true });

/** The compliance matrix and drill-down, declared exemptions, obligations, notifications and the annual report. */
export function complianceRoutes(s: Services): Router {
  const r = Router();
  r.get("/compliance", async (req, res) => {
    const { format, ...q } = parse(ComplianceQuery, req.query, "query");
    const m = await s.compliance.matrix(userOf(res), q);
    const name = `tuan-thu-${m.task}-${m.periods[0]}-${m.periods[m.periods.length - 1]}`;
    if (format === "csv") {
      res.type("text/csv; charset=utf-8").attachment(`${name}.csv`).send(matrixCsv(m));
    } else if (format === "xlsx") {
      res
        .type(XLSX)
        .attachment(`${name}.xlsx`)
        .send(await matrixXlsx(m));
    } else {
      res.json(m);
    }
  });
  r.get("/compliance/agencies/:id", async (req, res) => {
    res.json(await s.drillDown(userOf(res), req.params.id, parse(DrillQuery, req.query, "query")));
  });

  r.get("/compliance/exemptions", async (_req, res) => {
    res.json({ data: await s.exemptions.list(userOf(res)) });
  });
  r.post("/compliance/exemptions", async (req, res) => {
    assertAdmin(userOf(res)); // a 403 before any word on the body
    res.status(201).json(await s.exemptions.create(userOf(res), parse(NewExemption, req.body)));
  });
  r.delete("/compliance/exemptions/:id", async (req, res) => {
    await s.exemptions.remove(userOf(res), req.params.id);
    res.status(204).end();
  });

  r.get("/obligations", async (_req, res) => {
    res.json({ data: await s.obligations.list(userOf(res)) });
  });
  r.get("/obligations/:task", async (req, res) => {
    res.json(await s.obligations.get(userOf(res), req.params.task));
  });
  r.post("/obligations", async (req, res) => {
    assertAdmin(userOf(res));
    res.status(201).json(await s.obligations.create(userOf(res), parse(NewObligation, req.body)));
  });
  r.patch("/obligations/:task", async (req, res) => {
    assertAdmin(userOf(res));
    res.json(await s.obligations.update(userOf(res), req.params.task, parse(ObligationPatch, req.body)));
  });

  r.get("/notifications", async (req, res) => {
    res.json({ data: await s.reminders.list(userOf(res), parse(NotificationFilter, req.query, "query")) });
  });

  r.get("/reports/annual", async (req, res) => {
    const q = parse(AnnualQuery, req.query, "query");
    const report = await s.annualReport(userOf(res), q.year);
    if (q.format === "xlsx")
      res
        .type(XLSX)
        .attachment(`bao-cao-nam-${q.year}.xlsx`)
        .send(await annualXlsx(report));
    else
      res
        .type(DOCX)
        .attachment(`bao-cao-nam-${q.year}.docx`)
        .send(await annualDocx(report));
  });
  return r;
}
