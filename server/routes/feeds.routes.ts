import crypto from "node:crypto";
import { Feed } from "feed";
import type { Agency } from "../../content/model.js";
import type { FeedEntry } from "../../content/publishing/feeds.js";
import { publishedItems } from "../../content/publishing/feeds.js";
import type { Services } from "../../content/services.js";
import { createRenderer, summarize } from "../../templates/render.js";
import { type Route, route } from "../route.js";

/**
 * RSS and Atom carry titles and summaries as HTML (Atom says `type="html"`; RSS readers render
 * `description`), so their text is escaped there; JSON Feed's `title` and `summary` are plain text.
 */
const FORMATS = {
  rss: { type: "application/rss+xml; charset=utf-8", render: (f: Feed) => f.rss2(), htmlText: true },
  atom: { type: "application/atom+xml; charset=utf-8", render: (f: Feed) => f.atom1(), htmlText: true },
  json: { type: "application/feed+json; charset=utf-8", render: (f: Feed) => f.json1(), htmlText: false },
} as const;

const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
/** A link a feed reader may follow: http(s) only (a receiver's `url` could be `javascript:`). */
const safeLink = (url: string | null) => (url && /^https?:\/\//i.test(url) ? url : null);

const renderer = createRenderer();

/**
 * Each item's HTML is the portal template's (`templates/channels/default.html.liquid`, rendered as
 * for a `feed` channel): the item's text escaped into paragraphs, never the body's own markup.
 */
async function itemsOf(entries: FeedEntry[], agency: Agency, htmlText: boolean, fallback: string) {
  return Promise.all(
    entries.map(async (e) => {
      const link = safeLink(e.url);
      const item = { kind: e.kind, title: e.title, body: e.body, tasks: e.tasks };
      const { html } = await renderer.render({ item, agency: { id: agency.id, name: agency.name }, channelKind: "feed", link });
      const text = (s: string) => (htmlText ? escapeHtml(s) : s);
      return {
        title: text(e.title),
        id: `urn:loa:item:${e.itemId}`,
        link: link ?? fallback,
        description: text(summarize(e.body)),
        content: html,
        date: e.publishedAt,
        category: e.tasks.map((t) => ({ name: `Nhiệm vụ ${t}` })),
      };
    }),
  );
}

/**
 * Public feeds of each agency's published items (RSS 2.0, Atom 1.0, JSON Feed 1.0) at stable URLs:
 * `/feeds/<agency>.rss|atom|json`. Strong ETags let portals and aggregators poll cheaply.
 */
export function feedRoutes(s: Services, publicUrl: string): Route[] {
  return [
    route({
      method: "get",
      path: "/feeds/:file",
      summary: "An agency's public feed of published items: /feeds/<agency>.rss, .atom or .json",
      handle: async ({ req, res, params }) => {
        const match = /^([a-z0-9-]+)\.(rss|atom|json)$/.exec(params.file ?? "");
        if (!match?.[1] || !match[2]) {
          res.status(404).json({ code: "not_found", message: "feeds are /feeds/<agency id>.rss, .atom or .json" });
          return;
        }
        const format = FORMATS[match[2] as keyof typeof FORMATS];
        const { agency, entries } = await publishedItems(s.db, match[1]);
        const self = (ext: string) => `${publicUrl}/feeds/${agency.id}.${ext}`;
        const text = (t: string) => (format.htmlText ? escapeHtml(t) : t);
        const feed = new Feed({
          title: text(`${agency.name} — Dịch vụ công trực tuyến`),
          description: text(`Tin bài về dịch vụ công trực tuyến của ${agency.name}`),
          id: self("atom"),
          link: self("rss"),
          language: "vi",
          copyright: agency.name,
          updated: entries[0]?.publishedAt ?? new Date(0),
          generator: "Loa",
          feedLinks: { rss: self("rss"), atom: self("atom"), json: self("json") },
        });
        for (const item of await itemsOf(entries, agency, format.htmlText, self("rss"))) feed.addItem(item);
        const body = format.render(feed);
        const etag = `"${crypto.createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
        res.set({ "content-type": format.type, etag, "cache-control": "public, max-age=300" });
        if (req.get("if-none-match") === etag) {
          res.status(304).end();
          return;
        }
        res.send(body);
      },
    }),
  ];
}
