import { Router } from "express";
import { z } from "zod";
import { ItemFilter, NewItem } from "../../content/items/items.js";
import { ScheduleRequest } from "../../content/publishing/deliveries.js";
import type { Services } from "../../content/services.js";
import { userOf } from "../auth.js";
import { parse } from "../validate.js";

const PreviewQuery = z.strictObject({ channelId: z.string().min(1).optional() });

export function itemRoutes(s: Services): Router {
  const r = Router();
  r.get("/items", async (req, res) => {
    res.json({ data: await s.items.list(userOf(res), parse(ItemFilter, req.query, "query")) });
  });
  r.post("/items", async (req, res) => {
    res.status(201).json(await s.items.create(userOf(res), parse(NewItem, req.body)));
  });
  r.get("/items/:id", async (req, res) => {
    res.json(await s.items.get(userOf(res), req.params.id));
  });
  r.get("/items/:id/preview", async (req, res) => {
    const { channelId } = parse(PreviewQuery, req.query, "query");
    res.json({ data: await s.preview.preview(userOf(res), req.params.id, new Date(), channelId) });
  });
  r.post("/items/:id/schedule", async (req, res) => {
    const deliveries = await s.deliveries.schedule(userOf(res), req.params.id, parse(ScheduleRequest, req.body));
    res.status(201).json({ data: deliveries });
  });
  return r;
}
