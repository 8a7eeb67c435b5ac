import { z } from "zod";

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "a local time HH:MM (Asia/Ho_Chi_Minh)");

/** `settings.quietHours`: no message goes out between `from` and `to` (local time; across midnight when from > to). */
export const QuietHours = z.strictObject({ from: HHMM, to: HHMM }).nullable();
export type QuietHours = z.infer<typeof QuietHours>;
export const DEFAULT_QUIET_HOURS = { from: "21:00", to: "07:00" } as const;

/** The settings every campaign channel (`sms`, `zalo_zns`) shares; the gateway's own are in channels/sms. */
export const CampaignChannelSettings = z.object({
  quietHours: QuietHours.default(DEFAULT_QUIET_HOURS),
  /** Registered as an advertising channel: `[QC]` before and the opt-out footer after every message (Decree 91/2020/NĐ-CP). */
  advertising: z.boolean().default(false),
  optOutFooter: z.string().trim().min(1).max(80).default("Tu choi QC soan TU CHOI gui"),
  /** Send every text unaccented (always GSM-7: less than half the cost of accented UCS-2). */
  unaccent: z.boolean().default(false),
});
export type CampaignChannelSettings = z.infer<typeof CampaignChannelSettings>;

/** Vietnam keeps UTC+7 all year: minutes of the local day. */
const OFFSET_MIN = 7 * 60;
const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** When the quiet hours around `now` end, or undefined when `now` is not in them. */
export function quietUntil(now: Date, quiet: QuietHours): Date | undefined {
  if (!quiet || quiet.from === quiet.to) return undefined;
  const local = (Math.floor(now.getTime() / 60_000) + OFFSET_MIN) % 1440;
  const from = minutes(quiet.from);
  const to = minutes(quiet.to);
  const inside = from < to ? local >= from && local < to : local >= from || local < to;
  if (!inside) return undefined;
  const wait = (to - local + 1440) % 1440;
  const startOfMinute = Math.floor(now.getTime() / 60_000) * 60_000;
  return new Date(startOfMinute + wait * 60_000);
}

/** The text as sent on an advertising channel: `[QC]` first, the opt-out footer last. */
export function advertisingText(text: string, s: CampaignChannelSettings, sender: string | undefined): string {
  if (!s.advertising) return text;
  const body = text.startsWith("[QC]") ? text : `[QC] ${text}`;
  const footer = sender ? `${s.optOutFooter} ${sender}` : s.optOutFooter;
  return body.includes(footer) ? body : `${body}\n${footer}`;
}

/** Keywords of a mobile-originated message asking for no more messages (after unaccenting, any case). */
const STOP = /^(TU ?CHOI|TC|HUY|STOP|DUNG)\b/;

export function isStopRequest(text: string, unaccent: (s: string) => string): boolean {
  return STOP.test(unaccent(text).trim().toUpperCase().replace(/\s+/g, " "));
}
