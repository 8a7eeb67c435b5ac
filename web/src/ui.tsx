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

interface FieldProps extends Omit<JSX.HTMLAttributes<HTMLInputElement>, "label" | "name"> {
  name: string;
  label: string;
  error?: string | undefined;
  hint?: string;
}

/** A labelled input, its hint, and the error the API gave for it (announced, and linked by aria-describedby). */
export function Field({ name, label, error, hint, id, ...input }: FieldProps) {
  const fieldId = (id as string | undefined) ?? `f-${name}`;
  const described = [hint ? `${fieldId}-hint` : "", error ? `${fieldId}-error` : ""].filter(Boolean).join(" ");
  return (
    <div class={`field${error ? " field-invalid" : ""}`}>
      <label for={fieldId}>{label}</label>
      {hint && (
        <p class="hint" id={`${fieldId}-hint`}>
          {hint}
        </p>
      )}
      <input id={fieldId} name={name} aria-invalid={error ? "true" : undefined} aria-describedby={described || undefined} {...input} />
      {error && (
        <p class="field-error" id={`${fieldId}-error`} role="alert">
          {error}
        </p>
      )}
    </div>
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
