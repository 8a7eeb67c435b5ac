// web/: the web app for officers, approvers, broadcasters, DOST auditors and admins (issue 13).
// `src/` is the browser code (Preact, FullCalendar); this file bundles it with esbuild, in memory.
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import * as esbuild from "esbuild";

/** One file of the built app: its bytes, gzipped bytes and content type. */
export interface Asset {
  body: Buffer;
  gzip: Buffer;
  type: string;
}

/** The built app: its files by URL path (`/assets/main-XXXX.js`), and the entry's script and stylesheet. */
export interface WebBundle {
  assets: Map<string, Asset>;
  script: string;
  stylesheet: string | undefined;
  /** The URL paths of the JavaScript the first page loads (the entry and its static imports), for the size budget. */
  firstPageScripts: string[];
}

const SRC = path.join(path.dirname(fileURLToPath(import.meta.url)), "src");
const TYPES: Record<string, string> = { ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8" };

/** Bundles `web/src/main.tsx`, minified, split into the first page and the chunks loaded later (the calendar). */
export async function buildWeb(): Promise<WebBundle> {
  const result = await esbuild.build({
    entryPoints: [path.join(SRC, "main.tsx")],
    absWorkingDir: SRC,
    bundle: true,
    minify: true,
    splitting: true,
    format: "esm",
    target: "es2020",
    jsx: "automatic",
    jsxImportSource: "preact",
    outdir: "/assets",
    entryNames: "[name]-[hash]",
    chunkNames: "chunk-[hash]",
    assetNames: "[name]-[hash]",
    write: false,
    metafile: true,
    legalComments: "none",
    logLevel: "silent",
  });
  const assets = new Map<string, Asset>();
  for (const file of result.outputFiles) {
    const body = Buffer.from(file.contents);
    assets.set(file.path, {
      body,
      gzip: zlib.gzipSync(body, { level: 9 }),
      type: TYPES[path.extname(file.path)] ?? "application/octet-stream",
    });
  }
  const outputs = result.metafile.outputs;
  const entry = Object.entries(outputs).find(([, o]) => o.entryPoint?.endsWith("main.tsx"));
  if (!entry) throw new Error("the web build has no entry");
  const [script, meta] = entry;
  const firstPage = new Set<string>();
  const visit = (file: string) => {
    if (firstPage.has(file)) return;
    firstPage.add(file);
    for (const i of outputs[file]?.imports ?? []) if (i.kind === "import-statement") visit(i.path);
  };
  visit(script);
  // The metafile's paths are relative to the working directory; the output files' are absolute (`/assets/…`).
  const toUrl = (p: string) => path.posix.resolve(SRC, p);
  return {
    assets,
    script: toUrl(script),
    stylesheet: meta.cssBundle ? toUrl(meta.cssBundle) : undefined,
    firstPageScripts: [...firstPage].map(toUrl),
  };
}
