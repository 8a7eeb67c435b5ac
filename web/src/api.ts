import { hasMessage, t } from "./i18n.js";
import type { MessageKey } from "./messages.js";

/** An answer of the API that is not a success: `{code, message, field?}` as the server's error handler sends it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field: string | undefined,
    readonly retryAfter: number | undefined,
    /** The whole answer (some carry more, such as `problems`). */
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const CSRF_COOKIE = "loa_csrf";
/** The session's CSRF token, from the `loa_csrf` cookie the sign-in set: every write carries it. */
export const csrfToken = () =>
  document.cookie
    .split(";")
    .map((c) => c.trim().split("="))
    .find(([k]) => k === CSRF_COOKIE)?.[1];

const signedOutListeners = new Set<() => void>();
/** Called when the API says the session has ended (401): the app goes back to the sign-in page. */
export const onSignedOut = (l: () => void) => {
  signedOutListeners.add(l);
  return () => signedOutListeners.delete(l);
};

/** Calls the API with the session cookie; writes carry the CSRF token. JSON in, JSON out; failures throw `ApiError`. */
export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (method !== "GET" && method !== "HEAD") {
    const csrf = csrfToken();
    if (csrf) headers["x-csrf-token"] = csrf;
  }
  const isForm = typeof FormData !== "undefined" && body instanceof FormData;
  if (body !== undefined && !isForm) headers["content-type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(`/api${path}`, {
      method,
      headers,
      credentials: "same-origin",
      ...(body === undefined ? {} : { body: isForm ? (body as FormData) : JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError(0, "network", "network", undefined, undefined);
  }
  const text = await res.text();
  const json = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    const e = (json ?? {}) as { code?: string; message?: string; field?: string };
    const retry = Number(res.headers.get("retry-after") ?? Number.NaN);
    const err = new ApiError(
      res.status,
      e.code ?? "unknown",
      e.message ?? res.statusText,
      e.field,
      Number.isFinite(retry) ? retry : undefined,
    );
    if (res.status === 401 && path !== "/session") for (const l of signedOutListeners) l();
    throw err;
  }
  return json as T;
}

/** Known messages of the API (English) and their entries in the catalogue. */
const KNOWN: [RegExp, MessageKey, (m: RegExpExecArray) => Record<string, string>][] = [
  [/^wrong user name or password/, "error.wrongPassword", () => ({})],
  [/the current password is wrong/, "error.currentPasswordWrong", () => ({})],
  [/too many failed sign-ins.*?(\d+) s/, "error.retryIn", (m) => ({ seconds: m[1] ?? "" })],
  [/^your session has ended/, "error.sessionEnded", () => ({})],
  [/at least (\d+) characters|>=(\d+) characters/, "error.tooShort", (m) => ({ min: m[1] ?? m[2] ?? "" })],
  [/: required$/, "error.required", () => ({})],
  [/ is in the past$/, "error.past", () => ({})],
  [/^unknown channel /, "error.unknownChannel", () => ({})],
  [/has no weekly slots/, "error.noSlots", () => ({})],
  [/say what must change/, "error.sayWhat", () => ({})],
];

/** What to tell the user about a failure, in their language: a known message, else the code's sentence and the API's detail. */
export function errorText(err: unknown): string {
  if (!(err instanceof ApiError)) return t("error.unknown");
  if (err.code === "network") return t("error.network");
  for (const [re, key, params] of KNOWN) {
    const m = re.exec(err.message);
    if (m) return t(key, params(m));
  }
  const codeKey = `error.${err.code}`;
  const general = hasMessage(codeKey) ? t(codeKey) : t("error.unknown");
  return `${general} ${t("error.detail", { detail: err.message })}`;
}
