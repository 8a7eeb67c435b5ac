import { useState } from "preact/hooks";
import { api } from "../../api.js";
import { t } from "../../i18n.js";
import type { MessageKey } from "../../messages.js";
import { Field, FormError, useForm } from "../../ui.js";
import { Loading, SelectField, useList, value, ymd } from "./common.js";

export interface Agency {
  id: string;
  name: string;
  kind: string;
  parentId: string | null;
  validFrom: string;
  validTo: string | null;
}
export const AGENCY_KINDS = ["department", "commune", "district", "press", "city_office", "dost"] as const;
export const kindLabel = (kind: string) => t(`agencyKind.${kind}` as MessageKey);

const validity = (a: Agency) =>
  a.validTo ? t("ad.agency.range", { from: ymd(a.validFrom), to: ymd(a.validTo) }) : t("ad.agency.since", { from: ymd(a.validFrom) });

/** Renaming an agency or ending it (its validity's last day), in its row. */
function EditAgency({ agency, onDone }: { agency: Agency; onDone: (saved: boolean) => void }) {
  const [name, setName] = useState(agency.name);
  const [validTo, setValidTo] = useState(agency.validTo ?? "");
  const { errors, busy, run } = useForm(["name", "validTo"]);
  const submit = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      await api("PATCH", `/agencies/${encodeURIComponent(agency.id)}`, { name, validTo: validTo || null });
      onDone(true);
    });
  };
  return (
    <form class="inline-form" onSubmit={submit} noValidate>
      <Field
        name="name"
        id={`e-name-${agency.id}`}
        label={t("ad.agency.name")}
        value={name}
        onInput={(e) => setName(value(e))}
        error={errors.fields.name}
      />
      <Field
        name="validTo"
        id={`e-validTo-${agency.id}`}
        type="date"
        label={t("ad.agency.validTo")}
        hint={t("ad.agency.validToHint")}
        value={validTo}
        onInput={(e) => setValidTo(value(e))}
        error={errors.fields.validTo}
      />
      <FormError text={errors.form} />
      <button type="submit" class="primary" disabled={busy}>
        {t("ad.save")}
      </button>{" "}
      <button type="button" onClick={() => onDone(false)}>
        {t("ad.cancel")}
      </button>
    </form>
  );
}

/** Agencies with their validity dates: adding one, renaming, ending a dissolved one. */
export function AgenciesSection() {
  const { data, error, reload } = useList<Agency>("/agencies");
  const [editing, setEditing] = useState<string | undefined>();
  const [filter, setFilter] = useState("");
  const [form, setForm] = useState({ id: "", name: "", kind: "commune", parentId: "", validFrom: "", validTo: "" });
  const [saved, setSaved] = useState(false);
  const { errors, busy, run } = useForm(["id", "name", "kind", "parentId", "validFrom", "validTo"]);
  const set = (k: keyof typeof form) => (v: string) => setForm({ ...form, [k]: v });
  const submit = (e: Event) => {
    e.preventDefault();
    setSaved(false);
    void run(async () => {
      const { parentId, validTo, ...rest } = form;
      await api("POST", "/agencies", { ...rest, ...(parentId ? { parentId } : {}), ...(validTo ? { validTo } : {}) });
      setForm({ id: "", name: "", kind: form.kind, parentId: "", validFrom: "", validTo: "" });
      setSaved(true);
      await reload();
    });
  };
  if (!data) return <Loading error={error} />;
  const needle = filter.trim().toLocaleLowerCase("vi");
  const shown = needle ? data.filter((a) => `${a.name} ${a.id}`.toLocaleLowerCase("vi").includes(needle)) : data;
  return (
    <>
      <form class="card" onSubmit={submit} noValidate aria-labelledby="add-agency">
        <h2 id="add-agency">{t("ad.agency.add")}</h2>
        <div class="form-grid">
          <Field
            name="id"
            label={t("ad.agency.id")}
            hint={t("ad.agency.idHint")}
            value={form.id}
            onInput={(e) => set("id")(value(e))}
            error={errors.fields.id}
          />
          <Field
            name="name"
            label={t("ad.agency.name")}
            value={form.name}
            onInput={(e) => set("name")(value(e))}
            error={errors.fields.name}
          />
          <SelectField name="kind" label={t("ad.agency.kind")} value={form.kind} onChange={set("kind")} error={errors.fields.kind}>
            {AGENCY_KINDS.map((k) => (
              <option key={k} value={k}>
                {kindLabel(k)}
              </option>
            ))}
          </SelectField>
          <SelectField
            name="parentId"
            label={t("ad.agency.parent")}
            value={form.parentId}
            onChange={set("parentId")}
            error={errors.fields.parentId}
          >
            <option value="">{t("ad.none")}</option>
            {data.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </SelectField>
          <Field
            name="validFrom"
            type="date"
            label={t("ad.agency.validFrom")}
            value={form.validFrom}
            onInput={(e) => set("validFrom")(value(e))}
            error={errors.fields.validFrom}
          />
          <Field
            name="validTo"
            type="date"
            label={t("ad.agency.validTo")}
            hint={t("ad.agency.validToHint")}
            value={form.validTo}
            onInput={(e) => set("validTo")(value(e))}
            error={errors.fields.validTo}
          />
        </div>
        <FormError text={errors.form} />
        {saved && (
          <p class="notice" role="status">
            {t("ad.saved")}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {t("ad.agency.add")}
        </button>
      </form>
      <div class="field">
        <label for="agency-filter">{t("ad.agency.filter")}</label>
        <input id="agency-filter" type="search" value={filter} onInput={(e) => setFilter(value(e))} />
      </div>
      <p>{t("ad.agency.count", { shown: shown.length, total: data.length })}</p>
      <div class="table-wrap">
        <table class="grid">
          <caption class="sr-only">{t("ad.agencies")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("ad.agency.name")}</th>
              <th scope="col">{t("ad.agency.id")}</th>
              <th scope="col">{t("ad.agency.kind")}</th>
              <th scope="col">{t("ad.agency.validity")}</th>
              <th scope="col">
                <span class="sr-only">{t("ad.edit")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.map((a) => (
              <tr key={a.id}>
                <th scope="row">{a.name}</th>
                <td>
                  <code>{a.id}</code>
                </td>
                <td>{kindLabel(a.kind)}</td>
                <td>
                  {validity(a)} {a.validTo && <span class="chip">{t("ad.agency.ended")}</span>}
                </td>
                <td>
                  {editing === a.id ? (
                    <EditAgency
                      agency={a}
                      onDone={(ok) => {
                        setEditing(undefined);
                        if (ok) void reload();
                      }}
                    />
                  ) : (
                    <button type="button" onClick={() => setEditing(a.id)} aria-label={`${t("ad.edit")}: ${a.name}`}>
                      {t("ad.edit")}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
