import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Liquid } from "liquidjs";
import type { RenderedText } from "../content/ports/adapter.js";
import type { Renderer, RenderInput } from "../content/ports/renderer.js";

export const TEMPLATE_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "channels");

/** The campaign's hashtags, unaccented as social networks need them. */
export const DEFAULT_HASHTAGS = ["#DichVuCongTrucTuyen", "#CanTho"];

/** NFC, Unix line breaks, no trailing blanks: what every channel should receive. */
export const cleanText = (s: string) =>
  s
    .normalize("NFC")
    .replace(/\r\n?/g, "\n")
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();

/** The first sentences of a text, up to `max` characters, cut at a word. */
export function summarize(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= max) return flat;
  // Only sentences that end within `max` can be kept: matching the rest would cost time quadratic in a
  // long text without punctuation (a 64,000-character body took seconds).
  const sentences = flat.slice(0, max).match(/[^.!?…]+[.!?…]+/g) ?? [];
  let out = "";
  for (const s of sentences) {
    if ((out + s).length > max) break;
    out += s;
  }
  if (out.trim()) return out.trim();
  const cut = flat.slice(0, max - 1);
  return `${cut.slice(0, cut.lastIndexOf(" ") > 0 ? cut.lastIndexOf(" ") : cut.length)}…`;
}

/**
 * Per-channel text from LiquidJS templates (`templates/channels/<kind>.text.liquid` and
 * `<kind>.html.liquid`, falling back to `default.*`). Liquid cannot run code, so editors may change
 * templates safely; the HTML engine escapes every value.
 */
export function createRenderer(dir = TEMPLATE_DIR): Renderer {
  const text = new Liquid({ root: dir, extname: ".liquid", strictFilters: true, cache: true });
  const html = new Liquid({ root: dir, extname: ".liquid", strictFilters: true, cache: true, outputEscape: "escape" });
  // The parsed template of each kind and part, looked up once (not two `existsSync` per render):
  // templates are read at start, as Liquid's own cache already does.
  const picked = new Map<string, ReturnType<Liquid["parseFile"]>>();
  const pick = (engine: Liquid, kind: string, part: "text" | "html") => {
    const key = `${kind}.${part}`;
    const known = picked.get(key);
    if (known) return known;
    const name = [`${kind}.${part}.liquid`, `default.${part}.liquid`].find((n) => fs.existsSync(path.join(dir, n)));
    if (!name) throw new Error(`no template ${kind}.${part}.liquid or default.${part}.liquid in ${dir}`);
    const parsed = engine.parseFile(name);
    picked.set(key, parsed);
    parsed.catch(() => picked.delete(key));
    return parsed;
  };
  return {
    async render(input: RenderInput): Promise<RenderedText> {
      const title = cleanText(input.override?.title ?? input.item.title);
      const body = cleanText(input.override?.body ?? input.item.body);
      const hashtags = [...new Set([...DEFAULT_HASHTAGS, ...(input.hashtags ?? [])])];
      const scope = {
        title,
        body,
        paragraphs: body.split(/\n{2,}|\n/).filter((p) => p.trim()),
        link: input.link,
        hashtags,
        agency: input.agency,
        kind: input.item.kind,
        tasks: input.item.tasks,
      };
      const [t, h] = await Promise.all([pick(text, input.channelKind, "text"), pick(html, input.channelKind, "html")]);
      return {
        title,
        body: cleanText(await text.render(t, scope)),
        html: (await html.render(h, scope)).trim(),
        summary: summarize(body),
        hashtags,
      };
    },
  };
}
