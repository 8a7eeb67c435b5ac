import net from "node:net";

export interface Mail {
  from: string;
  to: string[];
  /** The raw message as received (headers and body, dot-unstuffed). */
  data: string;
}

/**
 * A minimal SMTP server on a real socket (RFC 5321 without extensions): it answers EHLO/HELO, MAIL,
 * RCPT, DATA, RSET, NOOP and QUIT in order and refuses a command out of sequence with 503, as a strict
 * relay would. No STARTTLS and no AUTH are offered, so clients speak plain text.
 */
export class SmtpStub {
  readonly mails: Mail[] = [];
  #server: net.Server | undefined;
  port = 0;

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.#server = net.createServer((socket) => this.#session(socket));
    await new Promise<void>((resolve) => this.#server?.listen(0, "127.0.0.1", resolve));
    this.port = (this.#server.address() as net.AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()));
  }

  #session(socket: net.Socket): void {
    const say = (line: string) => socket.write(`${line}\r\n`);
    let greeted = false;
    let from: string | undefined;
    let to: string[] = [];
    let data: string[] | undefined;
    let buffer = "";
    say("220 smtp.stub ESMTP ready");
    socket.on("data", (chunk) => {
      buffer += chunk.toString("utf8");
      for (let i = buffer.indexOf("\r\n"); i >= 0; i = buffer.indexOf("\r\n")) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        if (data) {
          if (line === ".") {
            this.mails.push({ from: from ?? "", to, data: data.join("\r\n") });
            data = undefined;
            from = undefined;
            to = [];
            say("250 2.0.0 queued");
          } else data.push(line.startsWith("..") ? line.slice(1) : line);
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === "EHLO" || verb === "HELO") {
          greeted = true;
          say(verb === "EHLO" ? "250-smtp.stub\r\n250 8BITMIME" : "250 smtp.stub");
        } else if (verb === "MAIL") {
          const m = /^MAIL FROM:\s*<([^>]*)>/i.exec(line);
          if (!greeted) say("503 5.5.1 EHLO first");
          else if (!m) say("501 5.5.4 syntax: MAIL FROM:<address>");
          else {
            from = m[1];
            say("250 2.1.0 ok");
          }
        } else if (verb === "RCPT") {
          const m = /^RCPT TO:\s*<([^>]+@[^>]+)>/i.exec(line);
          if (from === undefined) say("503 5.5.1 MAIL first");
          else if (!m?.[1]) say("501 5.1.3 bad recipient address");
          else {
            to.push(m[1]);
            say("250 2.1.5 ok");
          }
        } else if (verb === "DATA") {
          if (to.length === 0) say("503 5.5.1 RCPT first");
          else {
            data = [];
            say("354 end data with <CR><LF>.<CR><LF>");
          }
        } else if (verb === "RSET") {
          from = undefined;
          to = [];
          say("250 2.0.0 ok");
        } else if (verb === "NOOP") say("250 2.0.0 ok");
        else if (verb === "QUIT") {
          say("221 2.0.0 bye");
          socket.end();
        } else say("502 5.5.2 command not implemented");
      }
    });
    socket.on("error", () => undefined);
  }
}

/** Decodes a quoted-printable body (soft line breaks, `=XX` bytes) as UTF-8. */
export function decodeQuotedPrintable(text: string): string {
  const bytes: number[] = [];
  const joined = text.replace(/=\r?\n/g, "");
  for (let i = 0; i < joined.length; i++) {
    const hex = joined.slice(i + 1, i + 3);
    if (joined[i] === "=" && /^[0-9A-F]{2}$/i.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else bytes.push(...Buffer.from(joined[i] ?? "", "utf8"));
  }
  return Buffer.from(bytes).toString("utf8");
}
