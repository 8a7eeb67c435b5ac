import { Router } from "express";
import { AgencyChange, listAgencies, NewAgency } from "../../content/directory/agencies.js";
import { NewUser } from "../../content/directory/users.js";
import type { Services } from "../../content/services.js";
import { userOf } from "../auth.js";
import { parse } from "../validate.js";

/** Users, the caller itself, and the agencies users belong to. */
export function userRoutes(s: Services): Router {
  const r = Router();
  r.get("/me", (_req, res) => {
    res.json(userOf(res));
  });
  r.get("/users", async (_req, res) => {
    res.json({ data: await s.users.list(userOf(res)) });
  });
  r.post("/users", async (req, res) => {
    const { user, token } = await s.users.create(userOf(res), parse(NewUser, req.body));
    res.status(201).json({ ...user, token });
  });
  r.get("/agencies", async (_req, res) => {
    res.json({ data: await listAgencies(s.db) });
  });
  r.post("/agencies", async (req, res) => {
    res.status(201).json(await s.agencies.create(userOf(res), parse(NewAgency, req.body)));
  });
  r.patch("/agencies/:id", async (req, res) => {
    res.json(await s.agencies.update(userOf(res), req.params.id, parse(AgencyChange, req.body)));
  });
  return r;
}
