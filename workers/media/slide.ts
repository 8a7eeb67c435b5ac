import fs from "node:fs";
import * as fontkit from "fontkit";
import QRCode from "qrcode";
import sharp, { type OverlayOptions } from "sharp";
import { z } from "zod";
import type { SlideContent, SlideRenderer } from "../../content/ports/broadcast.js";

export const SLIDE_WIDTH = 1920;
export const SLIDE_HEIGHT = 1080;

/** A layout of `templates/boards/<name>.json`. */
export const SlideLayout = z.object({
  $comment: z.string().optional(),
  background: z.string(),
  band: z.string(),
  bandHeight: z.number().int().min(60).max(400),
  titleColor: z.string(),
  textColor: z.string(),
  agencyColor: z.string(),
  badgeColor: z.string(),
  badgeTextColor: z.string(),
  titleSize: z.number().int().min(20).max(200),
  textSize: z.number().int().min(16).max(150),
  margin: z.number().int().min(20).max(300),
  qrSize: z.number().int().min(120).max(600),
});
export type SlideLayout = z.infer<typeof SlideLayout>;

const LAYOUTS = new URL("../../templates/boards/", import.meta.url);
export function readLayout(name: string): SlideLayout {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`no slide layout ${name}`);
  return SlideLayout.parse(JSON.parse(fs.readFileSync(new URL(`${name}.json`, LAYOUTS), "utf8")));
}

/**
 * Fonts covering Vietnamese, first found: Noto Sans (`fonts-noto-core`), else DejaVu Sans
 * (`fonts-dejavu-core`, on every Debian). Text is drawn from the font's own glyph outlines, so a
 * character the font lacks shows its missing-glyph box (.notdef), never a silent fallback.
 */
export const FONT_CANDIDATES = {
  regular: ["/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"],
  bold: ["/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"],
};

export function findFont(candidates: string[]): string {
  const found = candidates.find((f) => fs.existsSync(f));
  if (!found) throw new Error(`no font for slides among ${candidates.join(", ")}: install fonts-dejavu-core or set BOARD_FONT`);
  return found;
}

const escapeXml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A font's text as SVG paths: lines wrapped at `width`, at most `maxLines` (the last one ellipsed). */
export class GlyphText {
  readonly #font: fontkit.Font;
  constructor(file: string) {
    this.#font = fontkit.openSync(file) as fontkit.Font;
  }

  width(text: string, size: number): number {
    return (this.#font.layout(text.normalize("NFC")).advanceWidth * size) / this.#font.unitsPerEm;
  }

  wrap(text: string, size: number, width: number, maxLines: number): string[] {
    const lines: string[] = [];
    for (const paragraph of text.normalize("NFC").split(/\n+/)) {
      let line = "";
      for (const word of paragraph.split(/\s+/).filter(Boolean)) {
        const next = line ? `${line} ${word}` : word;
        if (this.width(next, size) <= width || !line) line = next;
        else {
          lines.push(line);
          line = word;
        }
      }
      if (line) lines.push(line);
    }
    if (lines.length <= maxLines) return lines;
    const kept = lines.slice(0, maxLines);
    let last = kept[maxLines - 1] ?? "";
    while (last && this.width(`${last}…`, size) > width) last = last.slice(0, -1);
    kept[maxLines - 1] = `${last.trimEnd()}…`;
    return kept;
  }

  /** One line as a `<path>` whose baseline starts at (x, y). */
  path(text: string, size: number, x: number, y: number, fill: string): string {
    const run = this.#font.layout(text.normalize("NFC"));
    const scale = size / this.#font.unitsPerEm;
    let pen = 0;
    const parts: string[] = [];
    run.glyphs.forEach((g, i) => {
      const pos = run.positions[i];
      const d = g.path.toSVG();
      if (d)
        parts.push(
          `<path transform="translate(${(x + (pen + (pos?.xOffset ?? 0)) * scale).toFixed(2)} ${(y - (pos?.yOffset ?? 0) * scale).toFixed(2)}) scale(${scale.toFixed(5)} ${(-scale).toFixed(5)})" d="${d}"/>`,
        );
      pen += pos?.xAdvance ?? g.advanceWidth;
    });
    return `<g fill="${escapeXml(fill)}">${parts.join("")}</g>`;
  }
}

/** A text drawn alone on white (for checks of the font's coverage): raw RGBA pixels. */
export async function renderText(text: string, font: string, size = 96): Promise<Buffer> {
  const g = new GlyphText(font);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size * 2}" height="${size * 2}"><rect width="100%" height="100%" fill="#fff"/>${g.path(text, size, size / 2, size * 1.4, "#000")}</svg>`;
  return sharp(Buffer.from(svg)).raw().toBuffer();
}

/**
 * E-bulletin board slides: 1920×1080 PNG with the title and a short text (wrapped, in a font covering
 * Vietnamese), a QR code to the service's URL, and the agency's logo and name in a band, per layout.
 */
export function createSlideRenderer(fonts: { regular: string; bold: string }): SlideRenderer {
  const regular = new GlyphText(fonts.regular);
  const bold = new GlyphText(fonts.bold);
  return {
    async render(content: SlideContent, layoutName: string): Promise<Buffer> {
      const l = readLayout(layoutName);
      const textWidth = SLIDE_WIDTH - 3 * l.margin - l.qrSize;
      let y = l.bandHeight + l.margin + l.titleSize;
      const svg: string[] = [
        `<svg xmlns="http://www.w3.org/2000/svg" width="${SLIDE_WIDTH}" height="${SLIDE_HEIGHT}">`,
        `<rect width="100%" height="100%" fill="${escapeXml(l.background)}"/>`,
        `<rect width="100%" height="${l.bandHeight}" fill="${escapeXml(l.band)}"/>`,
      ];
      const logoSize = l.bandHeight - 30;
      const agencyX = content.logo ? l.margin + logoSize + 30 : l.margin;
      for (const line of bold.wrap(content.agencyName, 44, SLIDE_WIDTH - agencyX - l.margin - 420, 1))
        svg.push(bold.path(line, 44, agencyX, l.bandHeight / 2 + 16, l.agencyColor));
      if (content.badge) {
        const w = bold.width(content.badge, 40) + 60;
        svg.push(
          `<rect x="${SLIDE_WIDTH - l.margin - w}" y="${(l.bandHeight - 70) / 2}" width="${w}" height="70" rx="12" fill="${escapeXml(l.badgeColor)}"/>`,
        );
        svg.push(bold.path(content.badge, 40, SLIDE_WIDTH - l.margin - w + 30, l.bandHeight / 2 + 14, l.badgeTextColor));
      }
      for (const line of bold.wrap(content.title, l.titleSize, textWidth, 3)) {
        svg.push(bold.path(line, l.titleSize, l.margin, y, l.titleColor));
        y += l.titleSize * 1.25;
      }
      y += l.textSize * 0.6;
      const room = Math.max(1, Math.floor((SLIDE_HEIGHT - l.margin - y) / (l.textSize * 1.35)));
      for (const line of regular.wrap(content.text, l.textSize, textWidth, room)) {
        svg.push(regular.path(line, l.textSize, l.margin, y, l.textColor));
        y += l.textSize * 1.35;
      }
      svg.push("</svg>");
      const qr = await QRCode.toBuffer(content.qrUrl, { type: "png", width: l.qrSize, margin: 2, errorCorrectionLevel: "M" });
      const layers: OverlayOptions[] = [{ input: qr, left: SLIDE_WIDTH - l.margin - l.qrSize, top: SLIDE_HEIGHT - l.margin - l.qrSize }];
      if (content.logo) {
        const logo = await sharp(content.logo).resize(logoSize, logoSize, { fit: "inside" }).png().toBuffer();
        layers.push({ input: logo, left: l.margin, top: 15 });
      }
      return sharp(Buffer.from(svg.join("")))
        .composite(layers)
        .png({ compressionLevel: 9 })
        .toBuffer();
    },
  };
}
