import { Router } from "express";
import { DeliveryFilter, RescheduleRequest } from "../../content/publishing/deliveries.js";
import type { Services } from "../../content/services.js";
import { userOf } from "../auth.js";
import { parse } from "../validate.js";

export function deliveryRoutes(s: Services): Router {
  const r = Router();
  r.get("/deliveries", async (req, res) => {
    res.json({ data: await s.deliveries.list(userOf(res), parse(DeliveryFilter, req.query, "query")) });
  });
  r.get("/deliveries/:id", async (req, res) => {
    res.json(await s.deliveries.get(userOf(res), req.params.id));
  });
  r.delete("/deliveries/:id", async (req, res) => {
    res.json(await s.deliveries.cancel(userOf(res), req.params.id));
  });
  r.patch("/deliveries/:id", async (req, res) => {
    res.json(await s.deliveries.reschedule(userOf(res), req.params.id, parse(RescheduleRequest, req.body).at));
  });
  r.post("/deliveries/:id/retry", async (req, res) => {
    res.json(await s.deliveries.retry(userOf(res), req.params.id));
  });
  return r;
}
