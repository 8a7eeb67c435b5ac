import { z } from "zod";
import { BoardSettings } from "../content/broadcast/stations.js";
import { AppError } from "../content/errors.js";
import type { AdapterFactory, ChannelAdapter, HttpClient, PublishRequest } from "../content/ports/adapter.js";
import type { BoardHandover } from "../content/ports/broadcast.js";
import { toLocalIso } from "../content/time.js";
import { titleProblems } from "./checks.js";
import { beforePublishing, errorFromResponse, parseAnswer, send } from "./http.js";

const Token = z.object({ access_token: z.string().min(1) });
const Library = z.object({ files: z.array(z.object({ mediaId: z.number().int().optional(), error: z.string().optional() })).min(1) });
const Found = z.array(z.object({ mediaId: z.number().int(), name: z.string() }));
const Scheduled = z.object({ eventId: z.number().int() });

/** Xibo's form dates: local wall time of the CMS (Asia/Ho_Chi_Minh), `YYYY-MM-DD HH:MM:SS`. */
const xiboDate = (at: Date) => toLocalIso(at).slice(0, 19).replace("T", " ");

function boardHandover(req: PublishRequest): BoardHandover {
  if (req.broadcast?.kind !== "board") throw new AppError("unprocessable", "the item has no slide for this board");
  return req.broadcast;
}

/** The CMS's client credentials, `clientId:clientSecret` (an API application with the client-credentials grant). */
function credentials(secret: string | undefined): { clientId: string; clientSecret: string } {
  const i = secret?.indexOf(":") ?? -1;
  if (!secret || i < 1 || i === secret.length - 1) {
    throw new AppError("unprocessable", "a pushed board's secret is the CMS application's clientId:clientSecret", { field: "secret" });
  }
  return { clientId: secret.slice(0, i), clientSecret: secret.slice(i + 1) };
}

/** The Xibo-like CMS API: an access token, the library, the schedule. */
function cms(http: HttpClient, base: string, creds: { clientId: string; clientSecret: string }, signal: AbortSignal) {
  const api = `${base.replace(/\/+$/, "")}/api`;
  let token: string | undefined;
  async function call(path: string, init: RequestInit): Promise<Response> {
    if (!token) {
      const form = new URLSearchParams({ grant_type: "client_credentials", client_id: creds.clientId, client_secret: creds.clientSecret });
      const res = await send(http, `${api}/authorize/access_token`, { method: "POST", body: form, signal });
      if (!res.ok) {
        const err = await errorFromResponse(res, "the board's CMS");
        throw res.status === 400 || res.status === 401 ? new AppError("auth_expired", err.message) : err;
      }
      token = (await parseAnswer(res, Token, "the board's CMS")).access_token;
    }
    const res = await send(http, `${api}${path}`, { ...init, signal, headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw await errorFromResponse(res, "the board's CMS");
    return res;
  }
  return {
    /** The library's media of this name, if an earlier attempt uploaded it. */
    async find(name: string): Promise<number | undefined> {
      const res = await call(`/library?media=${encodeURIComponent(name)}`, { method: "GET" });
      return (await parseAnswer(res, Found, "the board's CMS")).find((m) => m.name === name)?.mediaId;
    },
    async upload(name: string, png: Buffer): Promise<number> {
      const form = new FormData();
      form.set("name", name);
      form.set("files", new Blob([new Uint8Array(png)], { type: "image/png" }), `${name}.png`);
      const file = (await parseAnswer(await call("/library", { method: "POST", body: form }), Library, "the board's CMS")).files[0];
      if (file?.mediaId === undefined)
        throw new AppError("channel_rejected", `the board's CMS refused the slide: ${file?.error ?? "no media id"}`);
      return file.mediaId;
    },
    async schedule(fields: Record<string, string>, displayGroupId: number): Promise<number> {
      const form = new URLSearchParams(fields);
      form.append("displayGroupIds[]", String(displayGroupId));
      return (await parseAnswer(await call("/schedule", { method: "POST", body: form }), Scheduled, "the board's CMS")).eventId;
    },
  };
}

/**
 * A public e-bulletin board (kind `bulletin_board`). Pulled: the board fetches
 * `GET /api/boards/:id/playlist`, so handing a slide over sends nothing. Pushed: the slide is uploaded
 * to the board's Xibo-like CMS library and scheduled on its display group for the item's validity.
 */
export const boardFactory: AdapterFactory<typeof BoardSettings> = {
  kind: "bulletin_board",
  settings: BoardSettings,
  needsSecret: false,
  needsSecretFor: (s) => s.mode === "push",
  create(settings, secret, { http }): ChannelAdapter {
    const creds = settings.mode === "push" ? credentials(secret) : undefined;
    return {
      kind: "bulletin_board",
      check: (req) => [...titleProblems(req.text.title, "the board", 200), ...(req.broadcast?.problems ?? [])],
      async publish(req, signal) {
        const b = boardHandover(req);
        if (!creds || !settings.url || !settings.displayGroupId) return { externalId: `playlist/${req.item.id}`, url: null };
        const api = cms(http, settings.url, creds, signal);
        const name = `loa-${req.deliveryId}`;
        const mediaId = await beforePublishing((async () => (await api.find(name)) ?? api.upload(name, await b.slide()))());
        const eventId = await api.schedule(
          {
            eventTypeId: "7",
            mediaId: String(mediaId),
            name: req.text.title.slice(0, 200),
            fromDt: xiboDate(b.validFrom),
            toDt: xiboDate(b.validUntil),
            displayOrder: "0",
            isPriority: "0",
            dayPartId: "0",
          },
          settings.displayGroupId,
        );
        return { externalId: String(eventId), url: null };
      },
    };
  },
};
