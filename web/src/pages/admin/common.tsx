import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { api, errorText } from "../../api.js";
import { t } from "../../i18n.js";
import { FormError } from "../../ui.js";

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
  const described = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return (
    <div class={`field${error ? " field-invalid" : ""}`}>
      <label for={id}>{label}</label>
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      <select
        id={id}
        name={name}
        value={value}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={described || undefined}
        onChange={(e) => onChange((e.target as HTMLSelectElement).value)}
      >
        {children}
      </select>
      {error && (
        <p class="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** The value of an input event's target. */
export const value = (e: Event) => (e.target as HTMLInputElement).value;

/** `2026-12-07` shown as `07/12/2026`. */
export const ymd = (d: string) => `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(0, 4)}`;
