// The project's import graph, read from the sources: which file imports which, and whether only types.
// The layout test checks the house rules on it; run directly, it prints the figures the README cites:
//   node --import tsx test/helpers/imports.ts
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SOURCE_DIRS = ["start", "server", "workers", "content", "channels", "templates", "web"];

export interface Edge {
  from: string;
  to: string;
  /** `import type …` or `export type … from`: erased at run time. */
  typeOnly: boolean;
}

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" || e.name === "dist" ? [] : walk(p);
    return /\.tsx?$/.test(e.name) && !e.name.endsWith(".d.ts") ? [p] : [];
  });
}

/** Every source file (not tests), relative to the root. */
export function sourceFiles(): string[] {
  return SOURCE_DIRS.flatMap((d) => walk(path.join(ROOT, d))).map((f) => path.relative(ROOT, f));
}

// `import x from "./a.js"`, `import type { X } from "./a.js"`, `export { a } from "./a.js"`, `import("./a.js")`.
const STATIC = /^\s*(import|export)\s+(type\s+)?([^;]*?)\s+from\s+["']([^"']+)["']/gm;
const BARE = /^\s*import\s+["']([^"']+)["']/gm;
const DYNAMIC = /\bimport\(\s*["']([^"']+)["']\s*\)/g;

function resolve(from: string, spec: string): string | undefined {
  if (!spec.startsWith(".")) return undefined;
  const abs = path.join(path.dirname(from), spec).replace(/\.js$/, ".ts");
  return abs;
}

/** The imports of local files, with whether they are type-only (every named binding `type`, or `import type`). */
export function edges(files = sourceFiles()): Edge[] {
  const out: Edge[] = [];
  for (const file of files) {
    const text = fs.readFileSync(path.join(ROOT, file), "utf8");
    for (const m of text.matchAll(STATIC)) {
      const to = resolve(file, m[4] ?? "");
      if (!to) continue;
      const bindings = m[3] ?? "";
      const named = /^\{([^}]*)\}$/s.exec(bindings.trim());
      const allTypes =
        !!named?.[1] &&
        named[1]
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean)
          .every((s) => s.startsWith("type "));
      out.push({ from: file, to, typeOnly: Boolean(m[2]) || allTypes });
    }
    for (const m of [...text.matchAll(BARE), ...text.matchAll(DYNAMIC)]) {
      const to = resolve(file, m[1] ?? "");
      if (to) out.push({ from: file, to, typeOnly: false });
    }
  }
  return out;
}

/** The packages each file imports (`express`, `node:fs`, `@googleapis/youtube` …), by file. */
export function packageImports(files = sourceFiles()): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const file of files) {
    const text = fs.readFileSync(path.join(ROOT, file), "utf8");
    const specs = [...text.matchAll(STATIC)]
      .map((m) => m[4] ?? "")
      .concat([...text.matchAll(BARE), ...text.matchAll(DYNAMIC)].map((m) => m[1] ?? ""));
    out.set(
      file,
      specs
        .filter((s) => s && !s.startsWith("."))
        .map((s) => (s.startsWith("@") ? s.split("/").slice(0, 2).join("/") : (s.split("/")[0] ?? s))),
    );
  }
  return out;
}

/** The import cycles among files (each once, as the list of files in it), by Tarjan's strongly connected components. */
export function cycles(all: Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of all) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of next.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v) ?? 0, idx.get(w) ?? 0));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      for (;;) {
        const w = stack.pop() as string;
        on.delete(w);
        scc.push(w);
        if (w === v) break;
      }
      if (scc.length > 1) found.push(scc.sort());
    }
  };
  for (const v of next.keys()) if (!idx.has(v)) visit(v);
  return found;
}

/** The top-level folder of a file (`content`, `channels` …). */
export const topOf = (file: string) => file.split(path.sep)[0] ?? "";

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const all = edges();
  const loops = cycles(all);
  const root = fs.readdirSync(path.join(ROOT, "content")).filter((f) => f.endsWith(".ts"));
  const inward = all.filter((e) => topOf(e.from) === "content" && ["channels", "workers", "server", "start"].includes(topOf(e.to)));
  console.log(`source files: ${sourceFiles().length}`);
  console.log(`content/ root .ts files: ${root.length}`);
  console.log(`content/ imports of channels|workers|server|start: ${inward.length} (${inward.filter((e) => !e.typeOnly).length} runtime)`);
  console.log(`workers/ imports of server/: ${all.filter((e) => topOf(e.from) === "workers" && topOf(e.to) === "server").length}`);
  console.log(`import cycles: ${loops.length}`);
  for (const c of loops) console.log(`  ${c.join(" ↔ ")}`);
}
