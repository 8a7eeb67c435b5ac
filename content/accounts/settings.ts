// Channel accounts: the settings every channel may carry besides its provider's own.
import { z } from "zod";
import { WeeklySlots } from "../publishing/slots.js";

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
  /** When this channel publishes, week after week (Asia/Ho_Chi_Minh): the calendar's free slots and "the next free slot". */
  slots: WeeklySlots.optional(),
});
export type CommonSettings = z.infer<typeof CommonSettings>;

const COMMON_KEYS = ["hashtags", "limits", "slots"] as const;

/**
 * Separates the common settings from the provider's own, which the adapter's schema validates; a
 * common key the provider's schema also declares (a loudspeaker station's `slots`) goes to both.
 */
export function splitSettings(
  raw: Record<string, unknown>,
  provider?: z.ZodType,
): { common: Record<string, unknown>; own: Record<string, unknown> } {
  const declared = provider && "shape" in provider ? Object.keys(provider.shape as object) : [];
  const common: Record<string, unknown> = {};
  const own: Record<string, unknown> = { ...raw };
  for (const key of COMMON_KEYS) {
    if (raw[key] === undefined) continue;
    common[key] = raw[key];
    if (!declared.includes(key)) delete own[key];
  }
  return { common, own };
}
