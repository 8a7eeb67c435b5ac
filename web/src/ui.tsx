import type { ComponentChildren, JSX } from "preact";
import { useState } from "preact/hooks";
import { ApiError, errorText } from "./api.js";

/** A form's errors: per field named by the API, and one for the form when the API names none. */
export interface FormErrors {
  fields: Record<string, string>;
  form?: string;
}

/**
 * Runs a form's action and puts a failure next to the field the API names (its top-level name:
 * `deliveries.0.at` shows at `deliveries.0.at` if there is such a field, else at `deliveries`).
 */
export function useForm(fieldNames: string[]) {
  const [errors, setErrors] = useState<FormErrors>({ fields: {} });
  const [busy, setBusy] = useState(false);
  async function run(action: () => Promise<void>): Promise<void> {
    setBusy(true);
    setErrors({ fields: {} });
    try {
      await action();
    } catch (err) {
      const text = errorText(err);
      const field = err instanceof ApiError ? err.field : undefined;
      const target = field && (fieldNames.includes(field) ? field : fieldNames.find((f) => field.startsWith(`${f}.`)));
      setErrors(target ? { fields: { [target]: text } } : { fields: {}, form: text });
    } finally {
      setBusy(false);
    }
  }
  return { errors, busy, run, setErrors };
}

/**
 * A form of text values with `useForm`'s errors: `field(name)` gives an input's `name/value/onInput/error`,
 * `select(name)` a `SelectField`'s `name/value/onChange/error`; the page states only what differs.
 * `more` names fields the API may blame that are kept elsewhere (a list of ids, a checkbox group).
 */
export function useFields<F extends Record<string, string>>(initial: F, more: string[] = []) {
  const [form, setForm] = useState<F>(initial);
  const state = useForm([...Object.keys(initial), ...more]);
  const set = (name: keyof F & string) => (v: string) => setForm((f) => ({ ...f, [name]: v }));
  const field = (name: keyof F & string) => ({
    name,
    value: form[name],
    onInput: (e: Event) => set(name)((e.target as HTMLInputElement).value),
    error: state.errors.fields[name],
  });
  const select = (name: keyof F & string) => ({ name, value: form[name], onChange: set(name), error: state.errors.fields[name] });
  return { ...state, form, setForm, set, field, select };
}

interface FieldProps extends Omit<JSX.HTMLAttributes<HTMLInputElement>, "label" | "name"> {
  name: string;
  label: string;
  error?: string | undefined;
  hint?: string;
}

interface FrameProps {
  id: string;
  label: string;
  error?: string | undefined;
  hint?: string | undefined;
  /** The control, given its `aria-invalid` and `aria-describedby`. */
  children: (aria: { "aria-invalid": "true" | undefined; "aria-describedby": string | undefined }) => ComponentChildren;
}

/** A control's label, hint and the error the API gave for it (announced, and linked by aria-describedby). */
export function FieldFrame({ id, label, error, hint, children }: FrameProps) {
  const described = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return (
    <div class={`field${error ? " field-invalid" : ""}`}>
      <label for={id}>{label}</label>
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {children({ "aria-invalid": error ? "true" : undefined, "aria-describedby": described || undefined })}
      {error && (
        <p class="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** A labelled input, its hint, and the error the API gave for it. */
export function Field({ name, label, error, hint, id, ...input }: FieldProps) {
  const fieldId = (id as string | undefined) ?? `f-${name}`;
  return (
    <FieldFrame id={fieldId} label={label} error={error} hint={hint}>
      {(aria) => <input id={fieldId} name={name} {...aria} {...input} />}
    </FieldFrame>
  );
}

/**
 * A form's end: the error the API gave for the form as a whole, what went right (`notice`, announced),
 * and the submit button; `children` follow the button (a cancel button).
 */
export function FormEnd({
  error,
  notice,
  busy,
  submit,
  primary = true,
  children,
}: {
  error: string | undefined;
  notice?: ComponentChildren;
  busy: boolean;
  submit: string;
  primary?: boolean;
  children?: ComponentChildren;
}) {
  return (
    <>
      <FormError text={error} />
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <button type="submit" class={primary ? "primary" : undefined} disabled={busy}>
        {submit}
      </button>
      {children}
    </>
  );
}

export function FormError({ text }: { text: string | undefined }) {
  return text ? (
    <p class="form-error" role="alert">
      {text}
    </p>
  ) : null;
}

export function Page({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <section class="page" aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        {title}
      </h1>
      {children}
    </section>
  );
}
