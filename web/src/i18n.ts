import { en, type MessageKey, vi } from "./messages.js";

/** The app's languages: Vietnamese first; English for those who ask (remembered in this browser). */
export type Lang = "vi" | "en";
const STORAGE_KEY = "loa.lang";
const catalogues: Record<Lang, Record<MessageKey, string>> = { vi, en };

const stored = (): Lang => {
  try {
    return localStorage.getItem(STORAGE_KEY) === "en" ? "en" : "vi";
  } catch {
    return "vi";
  }
};
let lang: Lang = stored();
const listeners = new Set<() => void>();

export const currentLang = (): Lang => lang;

export function setLang(next: Lang): void {
  lang = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // private browsing: the choice lasts this visit only
  }
  document.documentElement.lang = next;
  for (const l of listeners) l();
}

export function onLangChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** A message of the catalogue in the current language, with `{name}` placeholders filled in. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const text = catalogues[lang][key] ?? vi[key];
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/** True if the catalogue has this key (API error codes are looked up this way). */
export const hasMessage = (key: string): key is MessageKey => key in vi;

export const TIME_ZONE = "Asia/Ho_Chi_Minh";

/** Formatters are costly to build (a calendar labels hundreds of events): one per language and shape. */
const formatters = new Map<string, Intl.DateTimeFormat>();
const parts = (d: Date, options: Intl.DateTimeFormatOptions) => {
  const key = `${lang}${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(lang === "vi" ? "vi-VN" : "en-GB", { timeZone: TIME_ZONE, ...options });
    formatters.set(key, f);
  }
  return Object.fromEntries(f.formatToParts(d).map((p) => [p.type, p.value])) as Record<string, string>;
};

/** `Thứ Hai, 07/12/2026 08:00`: the weekday, the date and the time in Asia/Ho_Chi_Minh. */
export function formatDateTime(value: string | Date): string {
  const d = typeof value === "string" ? new Date(value) : value;
  const p = parts(d, {
    weekday: "long",
    day: "2-digit",
    month: "2-digit",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  const weekday = (p.weekday ?? "").replace(/^./, (c) => c.toUpperCase());
  return `${weekday}, ${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`;
}

/** `07/12/2026`, in Asia/Ho_Chi_Minh. */
export function formatDate(value: string | Date): string {
  const p = parts(typeof value === "string" ? new Date(value) : value, { day: "2-digit", month: "2-digit", year: "numeric" });
  return `${p.day}/${p.month}/${p.year}`;
}
