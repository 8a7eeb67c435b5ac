// content/campaigns/: SMS and Zalo ZNS campaigns (task 3.3) — phone numbers, recipient lists, opt-outs,
// the rules applied before sending, campaigns and their per-recipient outcomes. Pure rules here
// (phones, rules) are separate from the use cases that read and write the store.
import { parsePhoneNumberFromString } from "libphonenumber-js/max";

/**
 * The 2018 conversion of the retired 11-digit mobile prefixes (Ministry of Information and
 * Communications, Circular 22/2014 and Decision 798/QĐ-BTTTT; in force 15 September – 14 November 2018):
 * `01xx` followed by 7 digits became the new 3-digit prefix followed by the same 7 digits.
 */
export const PREFIX_2018: Readonly<Record<string, string>> = {
  // Viettel
  "0162": "032",
  "0163": "033",
  "0164": "034",
  "0165": "035",
  "0166": "036",
  "0167": "037",
  "0168": "038",
  "0169": "039",
  // MobiFone
  "0120": "070",
  "0121": "079",
  "0122": "077",
  "0126": "076",
  "0128": "078",
  // VinaPhone
  "0123": "083",
  "0124": "084",
  "0125": "085",
  "0127": "081",
  "0129": "082",
  // Vietnamobile
  "0186": "056",
  "0188": "058",
  // Gmobile
  "0199": "059",
};

export interface PhoneResult {
  input: string;
  /** `+84…` when the input is a Vietnamese mobile number, else null. */
  e164: string | null;
  /** True when a retired 11-digit number was converted (2018). */
  converted: boolean;
  /** Why the number was refused (null when accepted). */
  error: string | null;
}

/** Digits in national form (`0…`), from `+84…`, `0084…`, `84…` (when long enough) or `0…`. */
function nationalDigits(raw: string): string | undefined {
  const compact = raw.replace(/[\s.\-()]/g, "");
  if (!/^\+?\d+$/.test(compact)) return undefined;
  if (compact.startsWith("+84")) return `0${compact.slice(3)}`;
  if (compact.startsWith("+")) return compact;
  if (compact.startsWith("0084")) return `0${compact.slice(4)}`;
  if (compact.startsWith("84") && (compact.length === 11 || compact.length === 12)) return `0${compact.slice(2)}`;
  return compact;
}

/**
 * Vietnamese mobile numbering is decided by the prefix: once libphonenumber has judged a 10-digit
 * national number a mobile, every number with the same first 5 digits is one too. This cache of those
 * prefixes makes a million-row import about ten times faster; any other number goes to libphonenumber.
 */
const MOBILE_PREFIXES = new Set<string>();

/** Normalises one number to E.164 if it is a Vietnamese mobile number, applying the 2018 conversion. */
export function normalizePhone(input: string): PhoneResult {
  const refuse = (error: string): PhoneResult => ({ input, e164: null, converted: false, error });
  const national = nationalDigits(input.trim());
  if (!national) return refuse("not a phone number");
  let digits = national;
  let converted = false;
  const prefix = PREFIX_2018[digits.slice(0, 4)];
  if (prefix && digits.length === 11) {
    digits = prefix + digits.slice(4);
    converted = true;
  }
  if (digits.length === 10 && /^0\d{9}$/.test(digits) && MOBILE_PREFIXES.has(digits.slice(0, 5))) {
    return { input, e164: `+84${digits.slice(1)}`, converted, error: null };
  }
  const parsed = parsePhoneNumberFromString(digits, "VN");
  if (!parsed?.isValid()) return refuse("not a valid phone number");
  if (parsed.country !== "VN")
    return refuse(`a foreign number (${parsed.country ?? `+${parsed.countryCallingCode}`}): only Vietnamese mobile numbers are accepted`);
  const type = parsed.getType();
  if (type === "FIXED_LINE") return refuse("a landline: SMS needs a mobile number");
  if (type !== "MOBILE" && type !== "FIXED_LINE_OR_MOBILE") return refuse(`not a mobile number (${(type ?? "unknown").toLowerCase()})`);
  if (type === "MOBILE" && /^0\d{9}$/.test(digits)) MOBILE_PREFIXES.add(digits.slice(0, 5));
  return { input, e164: parsed.number, converted, error: null };
}

/** `+84912345678` → `0912***678`: what readers other than DOST and admins see. */
export function maskPhone(e164: string): string {
  const national = e164.startsWith("+84") ? `0${e164.slice(3)}` : e164;
  return national.length <= 7 ? "***" : `${national.slice(0, 4)}***${national.slice(-3)}`;
}
