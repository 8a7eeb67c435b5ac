import crypto from "node:crypto";
import zlib from "node:zlib";
import type { Request, RequestHandler, Response } from "express";
import { buildWeb, type WebBundle } from "../web/build.js";

/**
 * The web app's CSP: its own scripts, styles and images (media previews are blob: URLs), calls to its
 * own API; FullCalendar's injected `<style>` is allowed by the page's nonce, nothing else inline.
 */
export const webCsp = (nonce: string) =>
  [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "connect-src 'self'",
    // FullCalendar's icon font is a data: URL inside its injected CSS.
    "font-src 'self' data:",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join("; ");

// What other routers answer (the API, feeds, iCal, the API reference, Bull Board, metrics): an unknown
// path there is their 404, never the app's page.
const NOT_PAGES = /^\/(api|feeds|ical|docs|admin\/queues)(\/|$)|^\/(healthz|readyz|metrics|openapi\.json)$/;

function page(bundle: WebBundle, nonce: string): string {
  const css = bundle.stylesheet ? `<link rel="stylesheet" href="${bundle.stylesheet}">` : "";
  const preloads = bundle.firstPageScripts
    .filter((s) => s !== bundle.script)
    .map((s) => `<link rel="modulepreload" href="${s}">`)
    .join("");
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="csp-nonce" content="${nonce}"><title>Loa</title>${css}${preloads}<script type="module" src="${bundle.script}"></script></head><body><div id="app"></div><noscript>Loa cần JavaScript.</noscript></body></html>`;
}

let built: Promise<WebBundle> | undefined;
/** The app is built once per process, at the first page asked for (API-only processes never build it). */
export const webBundle = (): Promise<WebBundle> => {
  built ??= buildWeb().catch((err: unknown) => {
    built = undefined;
    throw err;
  });
  return built;
};

function send(req: Request, res: Response, body: Buffer, gzip: Buffer): void {
  res.setHeader("vary", "accept-encoding");
  if (req.acceptsEncodings("gzip") === "gzip") {
    res.setHeader("content-encoding", "gzip");
    res.end(gzip);
  } else res.end(body);
}

/** Serves the built app: `/assets/…` (immutable, hashed names) and the page for every other GET path (the app routes in the browser). */
export function webApp(): RequestHandler {
  return async (req, res, next) => {
    if ((req.method !== "GET" && req.method !== "HEAD") || NOT_PAGES.test(req.path)) return next();
    const bundle = await webBundle();
    const asset = bundle.assets.get(req.path);
    if (asset) {
      res.setHeader("content-type", asset.type);
      res.setHeader("cache-control", "public, max-age=31536000, immutable");
      return send(req, res, asset.body, asset.gzip);
    }
    if (req.path.startsWith("/assets/")) return next();
    const nonce = crypto.randomBytes(16).toString("base64");
    const html = Buffer.from(page(bundle, nonce));
    res.setHeader("content-type", "text/html; charset=utf-8");
    res.setHeader("cache-control", "no-store");
    res.setHeader("content-security-policy", webCsp(nonce));
    send(req, res, html, zlib.gzipSync(html));
  };
}
