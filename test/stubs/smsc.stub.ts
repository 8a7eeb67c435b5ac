// A local SMSC on the `smpp` package's server, checking what an operator's SMSC checks (SMPP 3.4):
// binds with the right system_id (accounts share a prefix)/password (else ESME_RINVPASWD 0x0e), submit_sm only when bound for
// sending (ESME_RINVBNDSTS 0x04), an explicit data_coding 0 or 8 (else ESME_RINVDCS 0x104), at most 140
// octets of short_message, and a well-formed concatenation UDH when esm_class has 0x40 (parts reassembled
// by reference, each once). It answers with message ids in one format and can report receipts in another
// (hex ids, decimal in receipts), per part; it can throttle, drop the connection, and send MO messages.
import type { AddressInfo, Server } from "node:net";
import smpp, { type PDU, type Session } from "smpp";

export interface SmscMessage {
  to: string;
  from: string;
  text: string;
  dataCoding: number;
  parts: number;
  ids: string[];
}

export interface SmscOptions {
  systemId?: string;
  password?: string;
  /** Receipts this long after each part (0: none). */
  receiptDelayMs?: number;
  /** How ids look: in submit_sm_resp, and in the receipts. */
  idFormat?: { resp: "hex" | "decimal"; receipt: "hex" | "decimal" | "HEX" };
  /** The receipt's state for a destination (DELIVRD by default). */
  stateFor?: (to: string) => "DELIVRD" | "UNDELIV" | "EXPIRED" | "REJECTD";
}

export interface SmscStub {
  port: number;
  messages: SmscMessage[];
  /** submit_sm PDUs accepted (per part), for doubling checks. */
  submits: number;
  binds: { ok: number; refused: number };
  /** Answers ESME_RTHROTTLED to this many next submits, and counts them. */
  throttle(n: number, status?: number): void;
  throttled: number;
  /** After this many more accepted submits, the next submit is taken but the connection dropped before its answer. */
  dropAfter(n: number): void;
  /** An MO message from a phone to every receiving session. */
  mo(from: string, text: string): void;
  /** Timestamps (ms) of accepted submits. */
  times: number[];
  errors: string[];
  stop(): Promise<void>;
}

const ESME_ROK = 0;
const ESME_RINVBNDSTS = 0x04;
const ESME_RINVPASWD = 0x0e;
const ESME_RINVDCS = 0x104;
const ESME_RINVMSGLEN = 0x01;
const ESME_RTHROTTLED = 0x58;

export async function startSmscStub(options: SmscOptions = {}): Promise<SmscStub> {
  const systemId = options.systemId ?? "sokhcn";
  const password = options.password ?? "bimat123";
  const receiptDelay = options.receiptDelayMs ?? 20;
  const format = options.idFormat ?? { resp: "hex", receipt: "hex" };
  const sessions = new Set<Session>();
  /** Receiving binds by account (system_id); receipts wait for a receiving bind of their account. */
  const receivers = new Map<Session, string>();
  const owed = new Map<string, PDU[]>();
  const partial = new Map<string, { total: number; parts: Map<number, string>; ids: string[]; from: string; dc: number }>();
  let counter = 0x1a2b3c;
  let throttleLeft = 0;
  let throttleStatus = ESME_RTHROTTLED;
  let dropIn = -1;
  const stub = {} as SmscStub;

  const fmt = (n: number, f: "hex" | "decimal" | "HEX") =>
    f === "decimal" ? String(n) : f === "HEX" ? n.toString(16).toUpperCase() : n.toString(16);

  function deliver(account: string, pdu: PDU, prefer?: Session) {
    const target = prefer && receivers.has(prefer) ? prefer : [...receivers].find(([, a]) => a === account)?.[0];
    if (target) target.send(pdu);
    else owed.set(account, [...(owed.get(account) ?? []), pdu]);
  }

  function receipt(session: Session, account: string, to: string, from: string, n: number) {
    if (!receiptDelay) return;
    setTimeout(() => {
      const id = fmt(n, format.receipt);
      const stat = options.stateFor?.(to) ?? "DELIVRD";
      const text = `id:${id} sub:001 dlvrd:${stat === "DELIVRD" ? "001" : "000"} submit date:2612010900 done date:2612010900 stat:${stat} err:${stat === "DELIVRD" ? "000" : "001"} text:`;
      // To the bind that sent it when it receives too (a transceiver), else to a receiver of the account.
      deliver(
        account,
        new smpp.PDU("deliver_sm", {
          source_addr: to,
          destination_addr: from,
          esm_class: 0x04,
          data_coding: 0,
          short_message: text,
          receipted_message_id: id,
          message_state: { DELIVRD: 2, EXPIRED: 3, UNDELIV: 5, REJECTD: 8 }[stat],
        }),
        session,
      );
    }, receiptDelay);
  }

  function onSubmit(session: Session, account: string, pdu: PDU): void {
    const answer = (status: number, fields: Record<string, unknown> = {}) => {
      session.send(pdu.response({ command_status: status, ...fields }));
    };
    const dc = Number(pdu.data_coding);
    if (dc !== 0 && dc !== 8) {
      stub.errors.push(`data_coding ${dc}`);
      answer(ESME_RINVDCS);
      return;
    }
    if (throttleLeft > 0) {
      throttleLeft--;
      stub.throttled++;
      answer(throttleStatus);
      return;
    }
    const sm = pdu.short_message as { udh?: Buffer[]; message?: string | Buffer } | undefined;
    const text = typeof sm?.message === "string" ? sm.message : "";
    const to = String(pdu.destination_addr);
    const from = String(pdu.source_addr);
    if (dropIn === 0) {
      dropIn = -1;
      // The message is taken, but the answer never comes: the connection drops first.
      counter++;
      stub.messages.push({ to, from, text, dataCoding: dc, parts: 1, ids: [fmt(counter, format.resp)] });
      session.destroy();
      return;
    }
    if (dropIn > 0) dropIn--;
    const esm = Number(pdu.esm_class);
    let udh: Buffer | undefined;
    if (esm & 0x40) {
      udh = sm?.udh?.find((u) => u[0] === 0x00 && u[1] === 0x03);
      if (!udh?.[3] || !udh[4] || udh[4] > udh[3]) {
        stub.errors.push("bad UDH");
        answer(ESME_RINVMSGLEN);
        return;
      }
    }
    counter++;
    const id = fmt(counter, format.resp);
    stub.submits++;
    stub.times.push(Date.now());
    answer(ESME_ROK, { message_id: id });
    receipt(session, account, to, from, counter);
    if (!udh) {
      stub.messages.push({ to, from, text, dataCoding: dc, parts: 1, ids: [id] });
      return;
    }
    const key = `${to}/${udh[2]}`;
    const entry = partial.get(key) ?? { total: udh[3] ?? 0, parts: new Map<number, string>(), ids: [] as string[], from, dc };
    if (entry.parts.has(udh[4] ?? 0)) stub.errors.push(`part ${udh[4]} of ${key} twice`);
    entry.parts.set(udh[4] ?? 0, text);
    entry.ids.push(id);
    partial.set(key, entry);
    if (entry.parts.size === entry.total) {
      partial.delete(key);
      const whole = [...entry.parts.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([, t]) => t)
        .join("");
      stub.messages.push({ to, from: entry.from, text: whole, dataCoding: entry.dc, parts: entry.total, ids: entry.ids });
    }
  }

  const server: Server = smpp.createServer((session: Session) => {
    sessions.add(session);
    let mode: string | undefined;
    let account = "";
    const bind = (pdu: PDU) => {
      if (!String(pdu.system_id).startsWith(systemId) || pdu.password !== password) {
        stub.binds.refused++;
        session.send(pdu.response({ command_status: ESME_RINVPASWD }));
        return;
      }
      stub.binds.ok++;
      mode = pdu.command;
      account = String(pdu.system_id);
      session.send(pdu.response());
      if (mode !== "bind_transmitter") {
        receivers.set(session, account);
        for (const p of owed.get(account) ?? []) session.send(p);
        owed.delete(account);
      }
    };
    session.on("bind_transceiver", bind);
    session.on("bind_transmitter", bind);
    session.on("bind_receiver", bind);
    session.on("enquire_link", (pdu: PDU) => session.send(pdu.response()));
    session.on("unbind", (pdu: PDU) => {
      session.send(pdu.response());
      session.close();
    });
    session.on("submit_sm", (pdu: PDU) => {
      if (!mode || mode === "bind_receiver") session.send(pdu.response({ command_status: ESME_RINVBNDSTS }));
      else onSubmit(session, account, pdu);
    });
    session.on("error", () => undefined);
    session.on("close", () => {
      sessions.delete(session);
      receivers.delete(session);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  Object.assign(stub, {
    port: (server.address() as AddressInfo).port,
    messages: [],
    submits: 0,
    binds: { ok: 0, refused: 0 },
    throttled: 0,
    times: [],
    errors: [],
    throttle(n: number, status = ESME_RTHROTTLED) {
      throttleLeft = n;
      throttleStatus = status;
    },
    dropAfter(n: number) {
      dropIn = n;
    },
    mo(from: string, text: string) {
      const [first] = [...receivers.keys()];
      first?.send(
        new smpp.PDU("deliver_sm", { source_addr: from, destination_addr: "SOKHCN", esm_class: 0, data_coding: 0, short_message: text }),
      );
    },
    async stop() {
      for (const s of sessions) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
  return stub;
}
