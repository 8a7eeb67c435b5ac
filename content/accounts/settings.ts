// Channel accounts: the settings every channel may carry besides its provider's own.
import { z } from "zod";

/** Settings every channel may carry besides its provider's own. */
export const CommonSettings = z.object({
  /** Extra hashtags for this channel's templates (`#CanTho` style, no spaces). */
  hashtags: z
    .array(z.string().regex(/^#[^\s#]+$/, "a hashtag such as #CanTho"))
    .max(10)
    .optional(),
  /** This account's limits on the provider's side; adapters set sensible defaults. */
  limits: z
    .strictObject({
      concurrency: z.number().int().min(1).max(100).optional(),
      perMinute: z.number().int().min(1).max(100_000).optional(),
    })
    .optional(),
});
export type CommonSettings = z.infer<typeof CommonSettings>;

/** Separates the common settings from the provider's own, which the adapter's schema validates. */
export function splitSettings(raw: Record<string, unknown>): { common: Record<string, unknown>; own: Record<string, unknown> } {
  const { hashtags, limits, ...own } = raw;
  return { common: { ...(hashtags === undefined ? {} : { hashtags }), ...(limits === undefined ? {} : { limits }) }, own };
}
