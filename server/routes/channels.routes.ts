import { Router } from "express";
import { z } from "zod";
import { NewChannel } from "../../content/accounts/accounts.js";
import type { Services } from "../../content/services.js";
import { userOf } from "../auth.js";
import { parse } from "../validate.js";

const ChannelFilter = z.strictObject({
  agencyId: z.string().optional(),
  /** `true`: only channels whose account must be connected again (refused or expiring token). */
  needsReconnect: z.enum(["true", "false"]).optional(),
});

export function channelRoutes(s: Services): Router {
  const r = Router();
  r.get("/channels", async (req, res) => {
    res.json({ data: await s.channels.list(userOf(res), parse(ChannelFilter, req.query, "query")) });
  });
  r.post("/channels", async (req, res) => {
    res.status(201).json(await s.channels.create(userOf(res), parse(NewChannel, req.body)));
  });
  r.get("/channels/:id/connect", async (req, res) => {
    res.json(await s.oauth.connect(userOf(res), req.params.id));
  });
  r.get("/channels/:id", async (req, res) => {
    res.json(await s.channels.get(userOf(res), req.params.id));
  });
  return r;
}
