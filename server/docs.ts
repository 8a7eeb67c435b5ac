// The OpenAPI document at /openapi.json and its interactive reference at /docs: Swagger UI from the
// swagger-ui-dist package, served by Loa itself (no CDN: the hub may have no internet), under a CSP
// that lets the page load its own files and call this origin only.
import { createRequire } from "node:module";
import path from "node:path";
import express, { type Express } from "express";
import { openApiDocument } from "./openapi.js";
import type { Route } from "./route.js";

const DIST = path.dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
/** The files of the page; everything else in the package (its demo page and initializer) stays out. */
const FILES = ["swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "favicon-32x32.png", "favicon-16x16.png"];
/** Swagger UI sets inline style attributes; nothing else is loosened, and it may call this origin only. */
export const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const PAGE = `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<title>Loa — tài liệu API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/favicon-32x32.png" sizes="32x32">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/swagger-ui-standalone-preset.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`;

// validatorUrl null: Swagger UI would otherwise send the document to an online validator for its badge.
const INIT = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "StandaloneLayout",
  });
};
`;

export function mountDocs(app: Express, table: { api: Route[]; open: Route[] }, publicUrl: string): void {
  let document: string | undefined;
  app.get("/openapi.json", (_req, res) => {
    document ??= JSON.stringify(openApiDocument(table, publicUrl));
    res.type("application/json").setHeader("cache-control", "no-cache").send(document);
  });
  // Express matches /docs and /docs/ alike; the page's files have absolute paths, so both work.
  app.get("/docs", (_req, res) => {
    res.type("html").setHeader("content-security-policy", DOCS_CSP).send(PAGE);
  });
  app.get("/docs/init.js", (_req, res) => {
    res.type("text/javascript").setHeader("content-security-policy", DOCS_CSP).send(INIT);
  });
  const files = express.static(DIST, {
    index: false,
    fallthrough: true,
    maxAge: "1d",
    setHeaders: (res) => res.setHeader("content-security-policy", DOCS_CSP),
  });
  app.use("/docs", (req, res, next) => (FILES.includes(req.path.slice(1)) ? files(req, res, next) : next()));
}
