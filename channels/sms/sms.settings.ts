import { z } from "zod";
import { CampaignChannelSettings } from "../../content/campaigns/rules.js";

/** A brandname: at most 11 ASCII letters, digits, spaces or `.-_` (what the operators register). */
const Brandname = z.string().regex(/^[A-Za-z0-9 ._-]{1,11}$/, "a brandname of at most 11 ASCII characters");
const campaign = CampaignChannelSettings.shape;

/** An operator's brandname gateway over SMPP 3.4; the password is the channel's secret. */
export const SmppSettings = z.strictObject({
  gateway: z.literal("smpp"),
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(2775),
  systemId: z.string().min(1).max(15),
  systemType: z.string().max(12).default(""),
  /** One bind_transceiver, or a bind_transmitter and a bind_receiver. */
  bindMode: z.enum(["transceiver", "tx_rx"]).default("transceiver"),
  sender: Brandname,
  /** Message parts per second across all the channel's binds (0: no cap). */
  tps: z.number().int().min(0).max(10_000).default(0),
  /** Outstanding submit_sm per bind. */
  window: z.number().int().min(1).max(1_000).default(10),
  binds: z.number().int().min(1).max(16).default(1),
  /** Long messages as UDH-concatenated parts (esm_class 0x40) or one submit_sm with message_payload. */
  longMessages: z.enum(["udh", "payload"]).default("udh"),
  enquireLinkSeconds: z.number().int().min(5).max(600).default(30),
  ...campaign,
});
export type SmppSettings = z.infer<typeof SmppSettings>;

/** An aggregator over HTTP: Kannel's sendsms with `preset: "kannel"`, or a described one. */
export const HttpGatewaySettings = z.strictObject({
  gateway: z.literal("http"),
  preset: z.literal("kannel").optional(),
  url: z.url({ protocol: /^https?$/, error: "an http(s) URL" }),
  username: z.string().min(1).optional(),
  sender: Brandname,
  /** Without a preset: how to call it. */
  method: z.enum(["GET", "POST"]).default("POST"),
  /** Without a preset: `basic` sends `username` and the secret; `bearer` the secret as a token. */
  auth: z.enum(["basic", "bearer", "none"]).default("basic"),
  /** Without a preset: the request's field names for the number, text and sender. */
  fields: z
    .strictObject({ to: z.string().min(1), text: z.string().min(1), from: z.string().min(1) })
    .default({ to: "to", text: "text", from: "from" }),
  /** Without a preset: a 2xx answer whose body matches this regular expression succeeded (its first group, if any, is the id). */
  success: z.string().min(1).max(200).default("."),
  ...campaign,
});
export type HttpGatewaySettings = z.infer<typeof HttpGatewaySettings>;

export const SmsSettings = z.discriminatedUnion("gateway", [SmppSettings, HttpGatewaySettings]);
export type SmsSettings = z.infer<typeof SmsSettings>;
