import smpp from "smpp";
import type { SmppSettings } from "./sms.settings.js";

/** A PDU as the `smpp` package gives it: its command, status, sequence and fields. */
export type Pdu = Record<string, unknown> & { command: string; command_status: number; sequence_number: number };

export interface BindHooks {
  /** A deliver_sm (receipt or MO); answered with deliver_sm_resp by the bind. */
  deliver(pdu: Pdu): void;
  /** The SMSC refused the bind (wrong credentials): its status code. */
  refused(status: number): void;
  log(msg: string, extra?: Record<string, unknown>): void;
}

const RESPONSE_TIMEOUT_MS = 10_000;
const MAX_BACKOFF_MS = 30_000;
/** Bind refusals that no retry will cure (ESME_RINVPASWD, ESME_RINVSYSID, ESME_RBINDFAIL, ESME_RINVSYSTYP). */
export const CREDENTIAL_STATUSES = new Set([0x0e, 0x0f, 0x0d, 0x53]);

/**
 * One SMPP 3.4 bind (transceiver, transmitter or receiver) built on the `smpp` package, which has
 * no window, no response timeout and no reconnect: this adds them. A window of `window` outstanding
 * requests, each with a response timeout; enquire_link every `enquireLinkSeconds` (a missing answer
 * drops the connection) and answered when the SMSC asks; reconnect with exponential backoff and
 * rebind; pending requests of a lost connection fail as "no answer" (they may have been acted on).
 */
export class SmppBind {
  private session: ReturnType<typeof smpp.connect> | undefined;
  private bound = false;
  private closed = false;
  private inflight = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly pending = new Map<number, (r: Pdu | Error) => void>();
  private backoff = 500;
  private timer: NodeJS.Timeout | undefined;
  private readyWaiters: (() => void)[] = [];
  /** The status of the last refused bind, when the SMSC refused the credentials. */
  refusedWith: number | undefined;

  constructor(
    private readonly s: SmppSettings,
    private readonly password: string,
    private readonly mode: "bind_transceiver" | "bind_transmitter" | "bind_receiver",
    private readonly hooks: BindHooks,
  ) {
    this.connect();
  }

  get isBound(): boolean {
    return this.bound;
  }
  get canSend(): boolean {
    return this.bound && this.mode !== "bind_receiver";
  }

  private connect(): void {
    if (this.closed) return;
    const session = smpp.connect({ host: this.s.host, port: this.s.port });
    this.session = session;
    session.on("connect", () => {
      session.send(
        new smpp.PDU(this.mode, {
          system_id: this.s.systemId,
          password: this.password,
          system_type: this.s.systemType,
          interface_version: 0x34,
        }),
        (pdu: Pdu) => {
          if (pdu.command_status === 0) {
            this.bound = true;
            this.refusedWith = undefined;
            this.backoff = 500;
            for (const w of this.readyWaiters.splice(0)) w();
            this.timer = setInterval(() => this.ping(), this.s.enquireLinkSeconds * 1000);
            this.timer.unref();
            return;
          }
          this.refusedWith = pdu.command_status;
          this.hooks.refused(pdu.command_status);
          // Wrong credentials will not heal by themselves: try again slowly.
          if (CREDENTIAL_STATUSES.has(pdu.command_status)) this.backoff = MAX_BACKOFF_MS;
          for (const w of this.readyWaiters.splice(0)) w();
          session.close();
        },
      );
    });
    session.on("enquire_link", (pdu: { response(): unknown }) => session.send(pdu.response() as never));
    session.on("deliver_sm", (pdu: Pdu & { response(): unknown }) => {
      session.send(pdu.response() as never);
      this.hooks.deliver(pdu);
    });
    session.on("unbind", (pdu: { response(): unknown }) => {
      session.send(pdu.response() as never);
      session.close();
    });
    session.on("pdu", (pdu: Pdu & { isResponse(): boolean }) => {
      if (!pdu.isResponse()) return;
      const done = this.pending.get(pdu.sequence_number);
      if (done) {
        this.pending.delete(pdu.sequence_number);
        done(pdu);
      }
    });
    session.on("error", (err: Error) => this.hooks.log("SMPP connection error", { err: err.message }));
    session.on("close", () => this.lost());
  }

  private lost(): void {
    this.bound = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const [, done] of this.pending) done(new Error("the SMPP connection was lost before the answer"));
    this.pending.clear();
    for (const w of this.readyWaiters.splice(0)) w();
    if (this.closed) return;
    const wait = this.backoff;
    this.backoff = Math.min(MAX_BACKOFF_MS, this.backoff * 2);
    setTimeout(() => this.connect(), wait).unref();
  }

  private ping(): void {
    this.request("enquire_link", {}).catch(() => this.session?.destroy());
  }

  /** Waits until bound (or the bind failed), at most `ms`. */
  ready(ms: number): Promise<boolean> {
    if (this.bound) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(this.bound), ms);
      this.readyWaiters.push(() => {
        clearTimeout(t);
        resolve(this.bound);
      });
    });
  }

  /** Sends a request within the window and resolves with its response PDU; rejects on timeout or a lost connection. */
  async request(command: string, fields: Record<string, unknown>, timeoutMs = RESPONSE_TIMEOUT_MS): Promise<Pdu> {
    while (this.inflight >= this.s.window) await new Promise<void>((r) => this.waiting.push(r));
    this.inflight++;
    try {
      const session = this.session;
      if (!session || !this.bound) throw new NotSent("the SMPP bind is down");
      const pdu = new smpp.PDU(command, fields) as unknown as Pdu;
      return await new Promise<Pdu>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.pending.delete(pdu.sequence_number);
          reject(new Error(`no ${command}_resp within ${timeoutMs} ms`));
        }, timeoutMs);
        const sent = session.send(pdu as never);
        if (!sent) {
          clearTimeout(timer);
          reject(new NotSent("the SMPP socket is not writable"));
          return;
        }
        this.pending.set(pdu.sequence_number, (r) => {
          clearTimeout(timer);
          if (r instanceof Error) reject(r);
          else resolve(r);
        });
      });
    } finally {
      this.inflight--;
      this.waiting.shift()?.();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    const session = this.session;
    if (!session) return;
    if (this.bound) await this.request("unbind", {}, 2_000).catch(() => undefined);
    session.destroy();
  }
}

/** Nothing went on the wire: safe to send later. */
export class NotSent extends Error {}
