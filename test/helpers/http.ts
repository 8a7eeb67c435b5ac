import http from "node:http";
import net from "node:net";

export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: any;
}

/**
 * One HTTP request with node:http, optionally from another loopback address (`127.0.0.2`…: Linux
 * routes all of 127/8 to itself), so a test can be several clients as the server sees them.
 */
export function request(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer; from?: string } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: opts.method ?? "GET", headers: opts.headers ?? {}, ...(opts.from ? { localAddress: opts.from } : {}), agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            // not JSON: the text itself
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
      },
    );
    req.on("error", reject);
    req.end(opts.body);
  });
}

/** A bearer-token GET from a given loopback address. */
export const getAs = (url: string, token: string, from = "127.0.0.1") =>
  request(url, { headers: { authorization: `Bearer ${token}` }, from });

/**
 * Sends the request head and the first `send` bytes of a body announced as `length` bytes, then stops
 * sending, and answers what the server said and whether it closed the connection on its own.
 */
export function partialRequest(
  port: number,
  head: string,
  send: number,
): Promise<{ answer: string; closedByServer: boolean; sentBytes: number }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let answer = "";
    let sentBytes = 0;
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ answer, closedByServer: false, sentBytes });
    }, 5_000);
    socket.on("connect", () => {
      socket.write(head);
      const chunk = Buffer.alloc(Math.min(send, 64 * 1024), 0x61);
      for (; sentBytes < send; sentBytes += chunk.length) socket.write(chunk);
    });
    socket.on("data", (d: Buffer) => {
      answer += d.toString("latin1");
    });
    socket.on("end", () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ answer, closedByServer: true, sentBytes });
    });
    socket.on("error", (err) => {
      clearTimeout(timer);
      if (answer) resolve({ answer, closedByServer: true, sentBytes });
      else reject(err);
    });
  });
}
