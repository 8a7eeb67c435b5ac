import { StationSettings as Settings, type StationSettings } from "../content/broadcast/stations.js";
import { AppError } from "../content/errors.js";
import type { AdapterFactory, ChannelAdapter, Problem, PublishRequest } from "../content/ports/adapter.js";
import type { StationHandover } from "../content/ports/broadcast.js";
import { titleProblems } from "./checks.js";
import { postSigned } from "./webhook.adapter.js";

/** The item as the weekly script has it, or a refusal: the publisher always builds it for a station. */
export function stationHandover(req: PublishRequest): StationHandover {
  if (req.broadcast?.kind !== "station") throw new AppError("unprocessable", "the item has no entry in the station's weekly script");
  return req.broadcast;
}

/** The checks every station shares: a title and a text to read, and the script's own (a frozen week). */
export function stationProblems(req: PublishRequest, station: string): Problem[] {
  const empty: Problem[] = req.item.body.trim()
    ? []
    : [{ field: "body", vi: "Tin bài chưa có nội dung để đọc", en: "the item has no text to read" }];
  return [...titleProblems(req.text.title, station), ...empty, ...(req.broadcast?.problems ?? [])];
}

/** The signed JSON a pushed station receives for one item of its script (or an urgent addendum). */
export function stationBody(req: PublishRequest, b: StationHandover): string {
  return JSON.stringify({
    type: b.addendum ? "loa.broadcast.addendum" : "loa.broadcast.item",
    deliveryId: req.deliveryId,
    station: req.channel,
    agency: req.agency,
    week: b.week,
    slot: b.slot.toISOString(),
    addendum: b.addendum,
    item: {
      id: req.item.id,
      title: req.text.title,
      text: req.item.body,
      readAloud: b.readAloud,
      priority: b.priority,
      validFrom: b.validFrom.toISOString(),
      validUntil: b.validUntil.toISOString(),
      readingSeconds: b.readingSeconds,
      audio: { url: b.urls.audio, type: "audio/mpeg", synthetic: b.synthetic },
    },
    script: { json: b.urls.script, text: b.urls.text, rss: b.urls.rss, programme: b.urls.programme },
  });
}

/**
 * A grassroots loudspeaker station (kind `loudspeaker`). Pulled: the broadcaster (or an IP loudspeaker
 * system) fetches the week's script, feed or MP3s, so handing an item over sends nothing. Pushed: each
 * item is POSTed, signed like the CMS webhook, when its week starts, and an urgent addendum at once.
 */
export const loudspeakerFactory: AdapterFactory<typeof Settings> = {
  kind: "loudspeaker",
  settings: Settings,
  needsSecret: false,
  needsSecretFor: (s: StationSettings) => s.mode === "push",
  create(settings, secret, { http }): ChannelAdapter {
    if (settings.mode === "push" && !secret)
      throw new AppError("unprocessable", "a pushed station needs a secret to sign with", { field: "secret" });
    return {
      kind: "loudspeaker",
      // A pushed station gets the delivery id as its Idempotency-Key; a pulled one is only recorded.
      idempotent: true,
      check: (req) => stationProblems(req, "the station"),
      async publish(req, signal) {
        const b = stationHandover(req);
        if (settings.mode === "pull" || !settings.url || !secret) return { externalId: `${b.week}/${req.item.id}`, url: b.urls.script };
        return postSigned(http, settings.url, secret, req.deliveryId, stationBody(req, b), signal, "the station");
      },
    };
  },
};
