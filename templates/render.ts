import type { ChannelKind, ItemKind } from "../content/model.js";

export interface Renderable {
  kind: ItemKind;
  title: string;
  body: string;
}

/** The text a channel shows. Per-channel templates come with the portal and social adapters. */
export interface Rendered {
  title: string;
  body: string;
}

/** Renders an item for a channel kind: NFC text, trimmed, with normalised line breaks. */
export function render(item: Renderable, _channel: ChannelKind): Rendered {
  const clean = (s: string) => s.normalize("NFC").replace(/\r\n?/g, "\n").trim();
  return { title: clean(item.title), body: clean(item.body) };
}
