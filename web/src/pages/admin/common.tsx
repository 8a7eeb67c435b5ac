import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { api, errorText } from "../../api.js";
import { t } from "../../i18n.js";
import { FieldFrame, FormError } from "../../ui.js";

/** A list the API answers as `{data}`: loaded at once, reloaded after each change. */
export function useList<T>(path: string) {
  const [data, setData] = useState<T[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const reload = useCallback(
    () =>
      api<{ data: T[] }>("GET", path).then(
        (r) => {
          setData(r.data);
          setError(undefined);
        },
        (err) => setError(errorText(err)),
      ),
    [path],
  );
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, reload };
}

/** What a list shows while it loads or when it failed. */
export function Loading({ error }: { error: string | undefined }) {
  return error ? <FormError text={error} /> : <p class="loading">{t("app.loading")}</p>;
}

interface SelectProps {
  name: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  hint?: string;
  children: ComponentChildren;
}

/** A labelled select with the API's error for it, like `Field` for inputs. */
export function SelectField({ name, label, value, onChange, error, hint, children }: SelectProps) {
  const id = `f-${name}`;
  return (
    <FieldFrame id={id} label={label} error={error} hint={hint}>
      {(aria) => (
        <select id={id} name={name} value={value} {...aria} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
          {children}
        </select>
      )}
    </FieldFrame>
  );
}

/** A select's options for fixed values (agency kinds, roles), each shown by its label. */
export function Options({ values, label }: { values: readonly string[]; label: (value: string) => string }) {
  return (
    <>
      {values.map((v) => (
        <option key={v} value={v}>
          {label(v)}
        </option>
      ))}
    </>
  );
}

/** A select's options: the empty choice (`none`), then each agency by name. */
export function AgencyOptions({ agencies, none }: { agencies: { id: string; name: string }[]; none: string }) {
  return (
    <>
      <option value="">{none}</option>
      {agencies.map((a) => (
        <option key={a.id} value={a.id}>
          {a.name}
        </option>
      ))}
    </>
  );
}

/** An agency's name for its id (the id where the list lacks it; `none` where there is no id). */
export function agencyNamer(agencies: { id: string; name: string }[]) {
  const names = new Map(agencies.map((a) => [a.id, a.name]));
  return (id: string | null, none: string) => (id ? (names.get(id) ?? id) : none);
}

/** A list's table: its (screen-reader) caption, the column headings, and the rows. */
export function DataTable({ caption, columns, children }: { caption: string; columns: ComponentChildren[]; children: ComponentChildren }) {
  return (
    <div class="table-wrap">
      <table class="grid">
        <caption class="sr-only">{caption}</caption>
        <thead>
          <tr>
            {columns.map((c, i) => (
              <th key={i} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** A validity range in words: `from … to …`, or `since …` while it has no end. */
export const validity = (r: { validFrom: string; validTo: string | null }) =>
  r.validTo ? t("ad.agency.range", { from: ymd(r.validFrom), to: ymd(r.validTo) }) : t("ad.agency.since", { from: ymd(r.validFrom) });

/** The value of an input event's target. */
export const value = (e: Event) => (e.target as HTMLInputElement).value;

/** `2026-12-07` shown as `07/12/2026`. */
export const ymd = (d: string) => `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(0, 4)}`;
