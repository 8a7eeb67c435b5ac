import { useState } from "preact/hooks";
import { api } from "../../api.js";
import { t } from "../../i18n.js";
import type { MessageKey } from "../../messages.js";
import { Field, FormEnd, useFields } from "../../ui.js";
import { AgencyOptions, DataTable, Loading, Options, SelectField, useList, validity, value } from "./common.js";

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

/** Renaming an agency or ending it (its validity's last day), in its row. */
function EditAgency({ agency, onDone }: { agency: Agency; onDone: (saved: boolean) => void }) {
  const { form, field, errors, busy, run } = useFields({ name: agency.name, validTo: agency.validTo ?? "" });
  const submit = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      await api("PATCH", `/agencies/${encodeURIComponent(agency.id)}`, { name: form.name, validTo: form.validTo || null });
      onDone(true);
    });
  };
  return (
    <form class="inline-form" onSubmit={submit} noValidate>
      <Field {...field("name")} id={`e-name-${agency.id}`} label={t("ad.agency.name")} />
      <Field
        {...field("validTo")}
        id={`e-validTo-${agency.id}`}
        type="date"
        label={t("ad.agency.validTo")}
        hint={t("ad.agency.validToHint")}
      />
      <FormEnd error={errors.form} busy={busy} submit={t("ad.save")}>
        {" "}
        <button type="button" onClick={() => onDone(false)}>
          {t("ad.cancel")}
        </button>
      </FormEnd>
    </form>
  );
}

/** Agencies with their validity dates: adding one, renaming, ending a dissolved one. */
export function AgenciesSection() {
  const { data, error, reload } = useList<Agency>("/agencies");
  const [editing, setEditing] = useState<string | undefined>();
  const [filter, setFilter] = useState("");
  const [saved, setSaved] = useState(false);
  const { form, setForm, field, select, errors, busy, run } = useFields({
    id: "",
    name: "",
    kind: "commune",
    parentId: "",
    validFrom: "",
    validTo: "",
  });
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
          <Field {...field("id")} label={t("ad.agency.id")} hint={t("ad.agency.idHint")} />
          <Field {...field("name")} label={t("ad.agency.name")} />
          <SelectField {...select("kind")} label={t("ad.agency.kind")}>
            <Options values={AGENCY_KINDS} label={kindLabel} />
          </SelectField>
          <SelectField {...select("parentId")} label={t("ad.agency.parent")}>
            <AgencyOptions agencies={data} none={t("ad.none")} />
          </SelectField>
          <Field {...field("validFrom")} type="date" label={t("ad.agency.validFrom")} />
          <Field {...field("validTo")} type="date" label={t("ad.agency.validTo")} hint={t("ad.agency.validToHint")} />
        </div>
        <FormEnd error={errors.form} notice={saved && t("ad.saved")} busy={busy} submit={t("ad.agency.add")} />
      </form>
      <div class="field">
        <label for="agency-filter">{t("ad.agency.filter")}</label>
        <input id="agency-filter" type="search" value={filter} onInput={(e) => setFilter(value(e))} />
      </div>
      <p>{t("ad.agency.count", { shown: shown.length, total: data.length })}</p>
      <DataTable
        caption={t("ad.agencies")}
        columns={[
          t("ad.agency.name"),
          t("ad.agency.id"),
          t("ad.agency.kind"),
          t("ad.agency.validity"),
          <span class="sr-only">{t("ad.edit")}</span>,
        ]}
      >
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
      </DataTable>
    </>
  );
}
