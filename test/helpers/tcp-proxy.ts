import net from "node:net";

/**
 * A TCP proxy between Loa and a server (PostgreSQL) that a test controls: `cut()` drops every open
 * connection at once, as a server restart or `pg_terminate_backend` would, and `refuseFor(ms)` also
 * refuses new ones for a while (the server still starting). The shared server itself is never touched.
 */
export class TcpProxy {
  readonly #sockets = new Set<net.Socket>();
  #server: net.Server | undefined;
  #refuseUntil = 0;
  port = 0;
  cuts = 0;

  constructor(
    readonly targetHost: string,
    readonly targetPort: number,
  ) {}

  async start(): Promise<this> {
    this.#server = net.createServer((client) => {
      if (Date.now() < this.#refuseUntil) {
        client.destroy();
        return;
      }
      const upstream = net.connect(this.targetPort, this.targetHost);
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on("close", () => this.#sockets.delete(s));
        s.on("error", () => undefined);
      }
      client.pipe(upstream);
      upstream.pipe(client);
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, "127.0.0.1", resolve));
    this.port = (this.#server.address() as net.AddressInfo).port;
    return this;
  }

  /** Drops every open connection (answers how many). */
  cut(): number {
    const n = this.#sockets.size / 2;
    for (const s of this.#sockets) s.destroy();
    this.cuts++;
    return n;
  }

  /** Drops every connection and refuses new ones for `ms`. */
  refuseFor(ms: number): number {
    this.#refuseUntil = Date.now() + ms;
    return this.cut();
  }

  async stop(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()));
  }
}
