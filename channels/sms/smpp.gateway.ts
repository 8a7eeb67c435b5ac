import crypto from "node:crypto";
import { AppError } from "../../content/errors.js";
import type { GatewayChannel, SmsAccepted, SmsEvents, SmsGateway, SmsMessage } from "../../content/ports/sms.js";
import { gsm7Octets, splitSms } from "../../templates/text/sms.js";
import { NotSent, type Pdu, SmppBind } from "./smpp.bind.js";
import type { SmppSettings } from "./sms.settings.js";

const ESME_RTHROTTLED = 0x58;
const ESME_RMSGQFUL = 0x14;
const BIND_WAIT_MS = 5_000;
const MAX_THROTTLE_WAIT_MS = 5_000;
/** message_state TLV values (SMPP 3.4 §5.3.2.35) and Appendix B `stat:` words, to Loa's final states. */
const STATES: Record<string, "delivered" | "undelivered" | "expired" | "rejected"> = {
  "2": "delivered",
  "3": "expired",
  "5": "undelivered",
  "8": "rejected",
  DELIVRD: "delivered",
  EXPIRED: "expired",
  UNDELIV: "undelivered",
  REJECTD: "rejected",
  DELETED: "undelivered",
};

/** One part as it goes on the wire: its octets, with the concatenation UDH when the message has several. */
export function encodeParts(text: string, encoding: "GSM-7" | "UCS-2", ref: number): Buffer[] {
  const parts = splitSms(text, encoding);
  const bytes = (t: string) => (encoding === "GSM-7" ? gsm7Octets(t) : Buffer.from(t, "utf16le").swap16());
  if (parts.length <= 1) return parts.map(bytes);
  // TS 23.040 §9.2.3.24.1: IEI 0x00 (8-bit reference), length 3, reference, total, sequence.
  return parts.map((p, i) => Buffer.concat([Buffer.from([0x05, 0x00, 0x03, ref & 0xff, parts.length, i + 1]), bytes(p)]));
}

/**
 * A TPS cap counted in message parts, shared by every bind of the channel in this process: each part
 * takes the next slot `1000/tps` ms after the previous one. Throttling answers hold every bind back.
 */
class Pacer {
  private next = 0;
  private holdUntil = 0;
  private throttleWait = 100;
  constructor(private readonly tps: number) {}
  async take(): Promise<void> {
    const now = Date.now();
    let at = Math.max(now, this.holdUntil);
    if (this.tps > 0) {
      at = Math.max(at, this.next);
      this.next = at + 1000 / this.tps;
    }
    if (at > now) await new Promise((r) => setTimeout(r, at - now));
  }
  /** The SMSC said "too fast": everyone waits, longer each time it repeats. */
  throttled(): number {
    const wait = this.throttleWait;
    this.holdUntil = Math.max(this.holdUntil, Date.now() + wait);
    this.throttleWait = Math.min(MAX_THROTTLE_WAIT_MS, this.throttleWait * 2);
    return wait;
  }
  ok(): void {
    this.throttleWait = Math.max(100, this.throttleWait / 2);
  }
}

/** An operator's SMSC over SMPP 3.4: binds, window, TPS, UDH or message_payload, receipts and MO back to Loa. */
export function createSmppGateway(channel: GatewayChannel, s: SmppSettings, events: SmsEvents): SmsGateway {
  const hooks = {
    deliver: (pdu: Pdu) => void onDeliver(pdu).catch(() => undefined),
    refused: (status: number) =>
      void events
        .refused(channel.id, `the SMSC refused the bind: command_status 0x${status.toString(16).padStart(8, "0")}`)
        .catch(() => undefined),
    log: () => undefined,
  };
  const binds: SmppBind[] = [];
  for (let i = 0; i < s.binds; i++) {
    binds.push(new SmppBind(s, channel.secret ?? "", s.bindMode === "transceiver" ? "bind_transceiver" : "bind_transmitter", hooks));
  }
  if (s.bindMode === "tx_rx") binds.push(new SmppBind(s, channel.secret ?? "", "bind_receiver", hooks));
  const pacer = new Pacer(s.tps);
  let turn = 0;

  async function onDeliver(pdu: Pdu): Promise<void> {
    const esm = Number(pdu.esm_class ?? 0);
    const raw = pdu.short_message as { message?: unknown } | string | Buffer | undefined;
    const text = typeof raw === "string" ? raw : Buffer.isBuffer(raw) ? raw.toString("latin1") : String(raw?.message ?? "");
    if (esm & 0x04) {
      const id = (pdu.receipted_message_id as string | undefined) ?? /id:(\S+)/i.exec(text)?.[1];
      const stat = pdu.message_state !== undefined ? String(pdu.message_state) : /stat:(\w+)/i.exec(text)?.[1]?.toUpperCase();
      const state = stat ? STATES[stat] : undefined;
      if (!id || !state) return; // ENROUTE, ACCEPTD …: not final
      const err = /err:(\w+)/i.exec(text)?.[1];
      await events.receipt({ channelId: channel.id, messageId: id, state, ...(err && err !== "000" ? { error: `err:${err}` } : {}) });
      return;
    }
    await events.inbound({ channelId: channel.id, from: String(pdu.source_addr ?? ""), text });
  }

  async function senderBind(): Promise<SmppBind> {
    for (let tries = 0; tries < binds.length; tries++) {
      const b = binds[turn++ % binds.length];
      if (b?.canSend) return b;
    }
    const first = binds[0];
    if (first && (await first.ready(BIND_WAIT_MS)) && first.canSend) return first;
    const refused = binds.find((b) => b.refusedWith !== undefined)?.refusedWith;
    if (refused !== undefined && [0x0e, 0x0f, 0x0d].includes(refused))
      throw new AppError("auth_expired", `the SMSC refused the bind (command_status 0x${refused.toString(16)})`);
    throw new AppError("channel_unavailable", "no SMPP bind is up; the message was not sent");
  }

  /** One submit_sm, resent while the SMSC answers that it is throttled or its queue is full. */
  async function submitPart(fields: Record<string, unknown>, first: boolean): Promise<string> {
    for (;;) {
      await pacer.take();
      const bind = await senderBind();
      let resp: Pdu;
      try {
        resp = await bind.request("submit_sm", fields);
      } catch (err) {
        if (err instanceof NotSent && first) throw new AppError("channel_unavailable", err.message);
        throw new AppError("channel_unconfirmed", `no submit_sm_resp: ${(err as Error).message}`);
      }
      const status = resp.command_status;
      if (status === 0) {
        pacer.ok();
        return String(resp.message_id ?? "");
      }
      if (status === ESME_RTHROTTLED || status === ESME_RMSGQFUL) {
        pacer.throttled();
        continue;
      }
      throw new AppError("channel_rejected", `the SMSC refused the message: command_status 0x${status.toString(16).padStart(8, "0")}`);
    }
  }

  return {
    async submit(m: SmsMessage): Promise<SmsAccepted> {
      const dataCoding = m.encoding === "GSM-7" ? 0 : 8;
      const base = {
        service_type: "",
        source_addr_ton: 5,
        source_addr_npi: 0,
        source_addr: s.sender,
        dest_addr_ton: 1,
        dest_addr_npi: 1,
        destination_addr: m.to.replace(/^\+/, ""),
        registered_delivery: 1,
        data_coding: dataCoding,
      };
      const ref = crypto.randomInt(0, 256);
      const parts = encodeParts(m.text, m.encoding, ref);
      if (parts.length > 1 && s.longMessages === "payload") {
        const whole = m.encoding === "GSM-7" ? gsm7Octets(m.text) : Buffer.from(m.text.normalize("NFC"), "utf16le").swap16();
        const id = await submitPart({ ...base, esm_class: 0, short_message: Buffer.alloc(0), message_payload: whole }, true);
        return { ids: [id], parts: 1 };
      }
      const ids: string[] = [];
      for (const [i, octets] of parts.entries()) {
        ids.push(await submitPart({ ...base, esm_class: parts.length > 1 ? 0x40 : 0, short_message: octets }, i === 0));
      }
      return { ids, parts: parts.length };
    },
    async close() {
      await Promise.all(binds.map((b) => b.close()));
    },
  };
}
