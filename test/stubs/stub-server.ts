import http from "node:http";
import type { AddressInfo } from "node:net";

/** A provider stub's HTTP server on 127.0.0.1 (a free port), handing each request over with its whole body read. */
export interface StubServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** Keeps an answer open (a scripted hang) until the stub stops. */
  hang(res: http.ServerResponse): void;
  stop(): Promise<void>;
}

export async function listen(handle: (req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer) => void): Promise<StubServer> {
  const hung = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => handle(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hang: (res) => void hung.add(res),
    async stop() {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
