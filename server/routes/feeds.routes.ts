import crypto from "node:crypto";
import { Feed } from "feed";
import { publishedItems } from "../../content/publishing/feeds.js";
import type { Services } from "../../content/services.js";
import { summarize } from "../../templates/render.js";
import { type Route, route } from "../route.js";

const FORMATS = {
  rss: { type: "application/rss+xml; charset=utf-8", render: (f: Feed) => f.rss2() },
  atom: { type: "application/atom+xml; charset=utf-8", render: (f: Feed) => f.atom1() },
  json: { type: "application/feed+json; charset=utf-8", render: (f: Feed) => f.json1() },
} as const;

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
        const feed = new Feed({
          title: `${agency.name} — Dịch vụ công trực tuyến`,
          description: `Tin bài về dịch vụ công trực tuyến của ${agency.name}`,
          id: self("atom"),
          link: self("rss"),
          language: "vi",
          copyright: agency.name,
          updated: entries[0]?.publishedAt ?? new Date(0),
          generator: "Loa",
          feedLinks: { rss: self("rss"), atom: self("atom"), json: self("json") },
        });
        for (const e of entries) {
          feed.addItem({
            title: e.title,
            id: `urn:loa:item:${e.itemId}`,
            link: e.url ?? self("rss"),
            description: summarize(e.body),
            content: e.body,
            date: e.publishedAt,
            category: e.tasks.map((t) => ({ name: `Nhiệm vụ ${t}` })),
          });
        }
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
