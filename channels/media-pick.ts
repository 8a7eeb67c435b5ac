import type { MediaVariant, PublishMedia } from "../content/media/model.js";

/**
 * The first variant, in the item's media order, of the given kind whose profile is the first of
 * `profiles` available (and of `mime` when given): e.g. `youtube1080` else `web720`.
 */
export function pickVariant(
  media: PublishMedia[] | undefined,
  kind: PublishMedia["kind"],
  profiles: string[],
  mime?: string,
): { media: PublishMedia; variant: MediaVariant } | undefined {
  for (const profile of profiles) {
    for (const m of media ?? []) {
      if (m.kind !== kind) continue;
      const variant = m.variants.find((v) => v.profile === profile && (!mime || v.mime === mime));
      if (variant) return { media: m, variant };
    }
  }
  return undefined;
}

/** Cuts `text` to at most `max` characters (code points) at a word boundary, ending with "…". */
export function cut(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  const head = chars.slice(0, max - 1).join("");
  const space = head.lastIndexOf(" ");
  return `${(space > max / 2 ? head.slice(0, space) : head).trimEnd()}…`;
}
