import { useState } from "preact/hooks";
import { api } from "../../api.js";
import { t } from "../../i18n.js";
import type { MessageKey } from "../../messages.js";
import { Field, FormEnd, FormError, useFields, useForm } from "../../ui.js";
import type { Agency } from "./agencies.js";
import { AgencyOptions, agencyNamer, DataTable, Loading, SelectField, useList, validity, value } from "./common.js";

interface Obligation {
  id: string;
  taskCode: string;
  description: string;
  period: "week" | "month" | "year";
  minCount: number;
  validFrom: string;
  validTo: string | null;
}
interface Exemption {
  id: string;
  obligationId: string | null;
  agencyId: string | null;
  period: string;
  reason: string;
}

/** An obligation's minimum, changed in its row (`PATCH /api/obligations/:task`; closed weeks keep theirs). */
function MinCount({ o, onDone }: { o: Obligation; onDone: () => void }) {
  const [min, setMin] = useState(String(o.minCount));
  const { errors, busy, run } = useForm(["minCount"]);
  const submit = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      await api("PATCH", `/obligations/${encodeURIComponent(o.taskCode)}`, { minCount: Number(min) });
      onDone();
    });
  };
  return (
    <form class="inline-form row" onSubmit={submit} noValidate>
      <Field
        name="minCount"
        id={`min-${o.taskCode}`}
        type="number"
        min={0}
        label={t("ad.ob.minCountFor", { task: o.taskCode })}
        value={min}
        onInput={(e) => setMin(value(e))}
        error={errors.fields.minCount ?? errors.form}
      />
      <button type="submit" disabled={busy || min === String(o.minCount)}>
        {t("ad.save")}
      </button>
    </form>
  );
}

/** The plan's obligations (minimums) and DOST's exemptions (Tết week …). */
export function RulesSection({ agencies }: { agencies: Agency[] }) {
  const obligations = useList<Obligation>("/obligations");
  const exemptions = useList<Exemption>("/compliance/exemptions");
  const { form, setForm, field, select, errors, busy, run } = useFields({ period: "", reason: "", task: "", agencyId: "" });
  const removal = useForm([]);
  const submit = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      await api("POST", "/compliance/exemptions", {
        period: form.period.trim(),
        reason: form.reason,
        ...(form.task ? { task: form.task } : {}),
        ...(form.agencyId ? { agencyId: form.agencyId } : {}),
      });
      setForm({ period: "", reason: "", task: "", agencyId: "" });
      await exemptions.reload();
    });
  };
  if (!obligations.data || !exemptions.data) return <Loading error={obligations.error ?? exemptions.error} />;
  const tasks = new Map(obligations.data.map((o) => [o.id, o.taskCode]));
  const agencyName = agencyNamer(agencies);
  return (
    <>
      {obligations.data.length === 0 ? (
        <p class="empty">{t("ad.ob.empty")}</p>
      ) : (
        <DataTable
          caption={t("ad.rules")}
          columns={[t("ad.ob.task"), t("ad.ob.description"), t("ad.ob.period"), t("ad.ob.validity"), t("ad.ob.minCount")]}
        >
          {obligations.data.map((o) => (
            <tr key={o.id}>
              <th scope="row">{o.taskCode}</th>
              <td>{o.description}</td>
              <td>{t(`ad.ob.period.${o.period}` as MessageKey)}</td>
              <td>{validity(o)}</td>
              <td>
                <MinCount o={o} onDone={() => void obligations.reload()} />
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <h2>{t("ad.ex.title")}</h2>
      <form class="card" onSubmit={submit} noValidate aria-label={t("ad.ex.add")}>
        <div class="form-grid">
          <Field {...field("period")} label={t("ad.ex.period")} hint={t("ad.ex.periodHint")} />
          <Field {...field("reason")} label={t("ad.ex.reason")} />
          <SelectField {...select("task")} label={t("ad.ex.task")}>
            <option value="">{t("ad.ex.allTasks")}</option>
            {obligations.data.map((o) => (
              <option key={o.taskCode} value={o.taskCode}>
                {o.taskCode}
              </option>
            ))}
          </SelectField>
          <SelectField {...select("agencyId")} label={t("ad.ex.agency")}>
            <AgencyOptions agencies={agencies} none={t("ad.ex.allAgencies")} />
          </SelectField>
        </div>
        <FormEnd error={errors.form} busy={busy} submit={t("ad.ex.add")} />
      </form>
      <FormError text={removal.errors.form} />
      {exemptions.data.length === 0 ? (
        <p class="empty">{t("ad.ex.empty")}</p>
      ) : (
        <ul class="exemptions">
          {exemptions.data.map((x) => (
            <li key={x.id}>
              <strong>{x.period}</strong> — {x.reason} ({x.obligationId ? tasks.get(x.obligationId) : t("ad.ex.allTasks")};{" "}
              {agencyName(x.agencyId, t("ad.ex.allAgencies"))}){" "}
              <button
                type="button"
                disabled={removal.busy}
                onClick={() =>
                  void removal.run(async () => {
                    await api("DELETE", `/compliance/exemptions/${encodeURIComponent(x.id)}`);
                    await exemptions.reload();
                  })
                }
              >
                {t("ad.ex.remove", { period: x.period })}
              </button>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
