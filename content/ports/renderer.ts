import type { RenderedText } from "./adapter.js";

/** What a channel template needs to know about an item. */
export interface RenderInput {
  item: { kind: string; title: string; body: string; tasks: string[] };
  agency: { id: string; name: string };
  channelKind: string;
  /** Where the item stands on the agency's portal, once published there. */
  link: string | null;
  /** Extra hashtags from the channel's settings. */
  hashtags?: string[];
  /** The item's own text for this channel kind, replacing the template's inputs. */
  override?: { title?: string | undefined; body?: string | undefined } | undefined;
}

/** Renders an item's text for a channel (implemented in `templates/`). */
export interface Renderer {
  render(input: RenderInput): Promise<RenderedText>;
}
