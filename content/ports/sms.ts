// The ports of SMS and Zalo ZNS campaigns (content/campaigns): the Vietnamese SMS text tools
// (templates/text) and the gateways (channels/sms: an SMPP session, an HTTP gateway, Zalo ZNS).

export type SmsEncoding = "GSM-7" | "UCS-2";

/** Encoding, cost and parts of an SMS (implemented by `templates/text/sms.ts`). */
export interface SmsTextTools {
  info(
    text: string,
    options: { unaccent: boolean },
  ): { text: string; encoding: SmsEncoding; segments: number; units: number; perSegment: number };
  unaccent(text: string): string;
}

/** One message to one recipient; `ref` lets the gateway's callbacks (Kannel's dlr-url) name it. */
export interface SmsMessage {
  /** E.164 (`+84…`). */
  to: string;
  text: string;
  encoding: SmsEncoding;
  ref: { campaignId: string; seq: number };
  /** ZNS: the template and its parameters (the text is the SMS fallback's). */
  zns?: { templateId: string; params: Record<string, string> };
}

/** A message the gateway took: its ids, one per part (an SMPP `message_id` each; for HTTP gateways Loa's own keys). */
export interface SmsAccepted {
  ids: string[];
  parts: number;
}

/**
 * What a gateway's `submit` throws, as `AppError` codes: `channel_rejected` (the number or text refused;
 * `auth_expired` for credentials), `channel_unavailable` (not bound, nothing sent: safe to send later),
 * `channel_unconfirmed` (sent, but no answer came: never resent blindly). Throttling answers are
 * handled inside the gateway by slowing down.
 */
export interface SmsGateway {
  submit(msg: SmsMessage, signal: AbortSignal): Promise<SmsAccepted>;
  close(): Promise<void>;
}

/** A delivery receipt: the gateway's id of a part and its final state. */
export interface SmsReceipt {
  channelId: string;
  messageId: string;
  state: "delivered" | "undelivered" | "expired" | "rejected";
  /** The SMSC's error code or text, when it gave one. */
  error?: string;
}

/** A mobile-originated message (a citizen answering `TU CHOI`). */
export interface SmsInbound {
  channelId: string;
  from: string;
  text: string;
}

export interface SmsEvents {
  receipt(r: SmsReceipt): Promise<void>;
  inbound(m: SmsInbound): Promise<void>;
  /** The gateway refused Loa's credentials (SMPP bind status): the channel is flagged. */
  refused(channelId: string, reason: string): Promise<void>;
}

/** A stored channel of kind `sms` or `zalo_zns`, as a gateway is opened for it. */
export interface GatewayChannel {
  id: string;
  kind: string;
  settings: Record<string, unknown>;
  secret: string | undefined;
  /** Loa's own authenticated callback for this channel (receipts and inbound messages of HTTP gateways). */
  callbackUrl: string;
}

/** Opens (and keeps: an SMPP session is long-lived) the gateway of a channel (`channels/sms/gateways.ts`). */
export interface SmsGateways {
  open(channel: GatewayChannel, events: SmsEvents): SmsGateway;
  close(): Promise<void>;
}

/** The work list of campaign batches (BullMQ in `workers/`, one queue per gateway channel); the database stays the truth. */
export interface CampaignQueue {
  /** One job per batch of recipients (`seq` from..to); adding a batch already listed is a no-op. */
  add(jobs: { channelId: string; campaignId: string; from: number; to: number; runAt: Date }[]): Promise<void>;
}
