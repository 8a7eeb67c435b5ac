import { fileTypeFromBuffer } from "file-type";
import type { Detected } from "../../content/ports/media.js";

/** Raster formats the prebuilt sharp decodes (HEIC is not among them: its codec is not in the prebuilt libvips). */
const IMAGES = new Set(["image/jpeg", "image/png", "image/webp", "image/gif", "image/tiff", "image/avif"]);

/** SVG is text: file-type does not recognise it, so it is sniffed here (optional BOM, prolog, comments, doctype, then `<svg`). */
export function looksLikeSvg(head: Uint8Array): boolean {
  let text = Buffer.from(head)
    .toString("utf8")
    .replace(/^\uFEFF/, "");
  for (;;) {
    text = text.trimStart();
    const skip = /^(<\?xml[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>[]*(\[[\s\S]*?\])?\s*>)/i.exec(text);
    if (!skip) break;
    text = text.slice(skip[0].length);
  }
  return /^<svg[\s>]/i.test(text);
}

/** Detects the type of an upload from its first bytes, never from its name. */
export async function detectType(head: Uint8Array): Promise<Detected | undefined> {
  if (looksLikeSvg(head)) return { kind: "image", mime: "image/svg+xml", ext: "svg" };
  const t = await fileTypeFromBuffer(head);
  if (!t) return undefined;
  if (IMAGES.has(t.mime)) return { kind: "image", mime: t.mime, ext: t.ext };
  if (t.mime.startsWith("video/") || t.mime === "application/vnd.rn-realmedia") return { kind: "video", mime: t.mime, ext: t.ext };
  if (t.mime.startsWith("audio/")) return { kind: "audio", mime: t.mime, ext: t.ext };
  return undefined;
}
