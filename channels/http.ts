import { STATUS_CODES } from "node:http";
import type { z } from "zod";
import { AppError } from "../content/errors.js";
import type { AdapterContext, HttpClient } from "../content/ports/adapter.js";

/** Parses `Retry-After` (seconds or an HTTP date) into milliseconds from now. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Sends a request and turns transport failures into Loa's error codes: a timeout after sending is
 * `channel_unconfirmed` (the provider may have acted), any other network failure `channel_unavailable`.
 */
export async function send(http: HttpClient, url: string, init: RequestInit & { signal: AbortSignal }): Promise<Response> {
  try {
    return await http(url, init);
  } catch (err) {
    // The outbound policy's refusals (and other errors already in Loa's terms) say it best themselves.
    if (err instanceof AppError) throw err;
    if (init.signal.aborted) {
      throw new AppError("channel_unconfirmed", `no answer from ${new URL(url).host} before the timeout; it may have published`, {
        cause: err,
      });
    }
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const detail = cause?.code ?? cause?.message ?? (err as Error).message;
    throw new AppError("channel_unavailable", `cannot reach ${new URL(url).host}: ${detail}`, { cause: err });
  }
}

/** Bodies past this are not read to find a message: an error answer that large is no provider's. */
const ERROR_BODY_MAX = 64 * 1024;
const MESSAGE_MAX = 500;

/** Reads at most `ERROR_BODY_MAX` bytes of an answer; `bytes` counts what the body declared or held. */
async function readSome(res: Response): Promise<{ text: string; bytes: number | undefined }> {
  const declared = Number(res.headers.get("content-length") ?? Number.NaN);
  const chunks: Uint8Array[] = [];
  let read = 0;
  let whole = true;
  try {
    const reader = res.body?.getReader();
    for (;;) {
      const next = await reader?.read();
      if (!next || next.done) break;
      chunks.push(next.value);
      read += next.value.length;
      if (read > ERROR_BODY_MAX) {
        whole = false;
        await reader?.cancel();
        break;
      }
    }
  } catch {
    whole = false;
  }
  const bytes = Number.isFinite(declared) ? declared : whole ? read : undefined;
  return { text: Buffer.concat(chunks).toString("utf8"), bytes };
}

/** The message a provider put in its structured (JSON) error answer: `message`, `error.message`, `error_description` or `error`. */
export function structuredMessage(text: string): string | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof body !== "object" || body === null) return undefined;
  const b = body as Record<string, unknown>;
  const err = b.error;
  const nested = typeof err === "object" && err !== null ? (err as Record<string, unknown>).message : undefined;
  for (const m of [b.message, nested, b.error_description, err]) {
    if (typeof m === "string" && m.trim())
      return m
        .replace(/\p{Cc}+/gu, " ")
        .trim()
        .slice(0, MESSAGE_MAX);
  }
  return undefined;
}

const sizeOf = (bytes: number | undefined) =>
  bytes === undefined ? "size unknown" : bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1).replace(/\.0$/, "")} KB`;

/**
 * A refused answer in an officer's terms: the provider's own `message` if it sent a structured error,
 * and always a `summary` (status, its text, the body's type and size). `text` (at most 64 KiB) is for
 * parsing a provider's error codes, never for showing.
 */
export async function describeAnswer(res: Response): Promise<{ text: string; message: string | undefined; summary: string }> {
  const { text, bytes } = await readSome(res);
  const type = (res.headers.get("content-type") ?? "no content type").split(";")[0]?.trim();
  const reason = res.statusText || STATUS_CODES[res.status] || "";
  return { text, message: structuredMessage(text), summary: `${res.status}${reason ? ` ${reason}` : ""} (${type}, ${sizeOf(bytes)})` };
}

/**
 * What to tell an officer about an error answer: the provider's own message when it answered a
 * structured error, else only the status, its text, and the body's type and size. An arbitrary body
 * is never echoed: it may be any server's page, and `lastError` is shown to every officer of the agency.
 */
export async function providerMessage(res: Response): Promise<string> {
  const { message, summary } = await describeAnswer(res);
  return message ?? summary;
}

/** Maps an unsuccessful HTTP answer to the error that says whether to retry. */
export async function errorFromResponse(res: Response, provider: string): Promise<AppError> {
  const { message: said, summary } = await describeAnswer(res);
  const message = said ? `${provider} answered ${res.status}: ${said}` : `${provider} answered ${summary}`;
  const wait = retryAfterMs(res.headers.get("retry-after"));
  if (res.status === 429) return new AppError("rate_limited", message, wait === undefined ? {} : { retryAfterMs: wait });
  if (res.status >= 500 || res.status === 408) {
    return new AppError("channel_unavailable", message, wait === undefined ? {} : { retryAfterMs: wait });
  }
  return new AppError("channel_rejected", message);
}

/** A stored file that cannot be read is Loa's problem, not the provider's: nothing was sent, and a retry will not help. */
export function unreadableMedia(key: string, err: unknown): AppError {
  if (err instanceof AppError) return err;
  return new AppError("unprocessable", `cannot read the stored media file ${key}: ${(err as Error).message}`, { cause: err });
}

/** Reads a stored media file whole: for images and other small files, never for whole videos. */
export async function readMediaFile(readMedia: AdapterContext["readMedia"], key: string): Promise<Buffer> {
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of (await readMedia(key)).stream)
      chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array));
    return Buffer.concat(chunks);
  } catch (err) {
    throw unreadableMedia(key, err);
  }
}

/**
 * Reads a provider's successful answer. An answer without the id it should carry leaves the outcome
 * unknown, so it is `channel_unconfirmed`, never a reason to post again.
 */
export async function parseAnswer<T>(res: Response, schema: z.ZodType<T>, provider: string): Promise<T> {
  const answer = schema.safeParse(await res.json().catch(() => undefined));
  if (!answer.success) throw new AppError("channel_unconfirmed", `${provider} answered ${res.status} without what it should return`);
  return answer.data;
}

/**
 * Runs a step that publishes nothing by itself (an upload before the post is created): a timeout
 * there leaves nothing to confirm, so it becomes `channel_unavailable`, safe to retry.
 */
export async function beforePublishing<T>(step: Promise<T>): Promise<T> {
  try {
    return await step;
  } catch (err) {
    if (err instanceof AppError && err.code === "channel_unconfirmed") {
      throw new AppError("channel_unavailable", `${err.message} (while uploading: nothing was published yet)`, { cause: err });
    }
    throw err;
  }
}

/** Parses a channel's stored JSON secret (OAuth tokens); anything else is a 422 naming `secret`. */
export function parseJsonSecret<S extends z.ZodType>(schema: S, secret: string | undefined, shape: string): z.infer<S> {
  let json: unknown;
  try {
    json = JSON.parse(secret ?? "");
  } catch {
    json = undefined;
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new AppError("unprocessable", `${shape}; connect the account again`, { field: "secret" });
  return parsed.data;
}
