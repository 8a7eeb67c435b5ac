/** Vietnamese text tools the domain is given (templates/text/): for accent-insensitive search. */
export interface TextFolding {
  /** Readable Vietnamese without diacritics (`dịch vụ công` → `dich vu cong`). */
  unaccent(text: string): string;
}
