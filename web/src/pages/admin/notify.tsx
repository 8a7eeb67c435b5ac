import { useEffect, useState } from "preact/hooks";
import { api } from "../../api.js";
import { formatDateTime, t } from "../../i18n.js";
import { Field, FormEnd, FormError, useFields, useForm } from "../../ui.js";
import type { Agency } from "./agencies.js";
import { AgencyOptions, agencyNamer, DataTable, Loading, SelectField, useList } from "./common.js";

const EVENTS = [
  "item.submitted",
  "item.approved",
  "delivery.published",
  "delivery.failed",
  "delivery.unconfirmed",
  "week.closed",
  "event.progress",
];
interface Webhook {
  id: string;
  agencyId: string | null;
  url: string;
  events: string[];
  paused: boolean;
}
interface Attempt {
  id: string;
  event: string;
  status: string;
  attempts: number;
  createdAt: string;
  log: { attempt: number; statusCode: number | null; error: string | null; at: string }[];
}
interface AuditEntry {
  id: string;
  at: string;
  actorName: string | null;
  actorId: string;
  action: string;
  entity: string;
  entityId: string;
  agencyId: string | null;
}

function Deliveries({ id }: { id: string }) {
  const { data, error } = useList<Attempt>(`/webhooks/${encodeURIComponent(id)}/deliveries?limit=20`);
  if (!data) return <Loading error={error} />;
  if (data.length === 0) return <p class="empty">{t("ad.wh.noDeliveries")}</p>;
  return (
    <ul>
      {data.map((d) => {
        const last = d.log.at(-1);
        return (
          <li key={d.id}>
            {formatDateTime(d.createdAt)} — <code>{d.event}</code>: {d.status}
            {last && ` (${t("ad.wh.attempt", { n: last.attempt, code: last.statusCode ?? "—", error: last.error ?? "" })})`}
          </li>
        );
      })}
    </ul>
  );
}

/** Outgoing webhooks: subscribing a URL to events (the signing secret is shown once), pausing, rotating, removing, the last deliveries. */
export function WebhooksSection({ agencies }: { agencies: Agency[] }) {
  const hooks = useList<Webhook>("/webhooks");
  const [events, setEvents] = useState<string[]>([]);
  const [secret, setSecret] = useState<string | undefined>();
  const { form, set, field, select, errors, busy, run } = useFields({ url: "", agencyId: "" }, ["events"]);
  const row = useForm([]);
  const agencyName = agencyNamer(agencies);
  const submit = (e: Event) => {
    e.preventDefault();
    setSecret(undefined);
    void run(async () => {
      const { url, agencyId } = form;
      const created = await api<{ secret: string }>("POST", "/webhooks", { url, events, ...(agencyId ? { agencyId } : {}) });
      setSecret(created.secret);
      set("url")("");
      setEvents([]);
      await hooks.reload();
    });
  };
  const change = (w: Webhook, body: Record<string, unknown>) =>
    row.run(async () => {
      const r = await api<{ secret?: string }>("PATCH", `/webhooks/${encodeURIComponent(w.id)}`, body);
      if (r.secret) setSecret(r.secret);
      await hooks.reload();
    });
  if (!hooks.data) return <Loading error={hooks.error} />;
  return (
    <>
      <form class="card" onSubmit={submit} noValidate aria-labelledby="add-webhook">
        <h2 id="add-webhook">{t("ad.wh.add")}</h2>
        <Field {...field("url")} type="url" label={t("ad.wh.url")} />
        <fieldset
          class={`field${errors.fields.events ? " field-invalid" : ""}`}
          aria-describedby={errors.fields.events ? "f-events-error" : undefined}
        >
          <legend>{t("ad.wh.events")}</legend>
          {EVENTS.map((ev) => (
            <div class="field checkbox" key={ev}>
              <input
                id={`ev-${ev}`}
                type="checkbox"
                checked={events.includes(ev)}
                onChange={(e) => setEvents((e.target as HTMLInputElement).checked ? [...events, ev] : events.filter((x) => x !== ev))}
              />
              <label for={`ev-${ev}`}>
                <code>{ev}</code>
              </label>
            </div>
          ))}
          {errors.fields.events && (
            <p class="field-error" id="f-events-error" role="alert">
              {errors.fields.events}
            </p>
          )}
        </fieldset>
        <SelectField {...select("agencyId")} label={t("ad.wh.agency")}>
          <AgencyOptions agencies={agencies} none={t("ad.ex.allAgencies")} />
        </SelectField>
        <FormEnd
          error={errors.form}
          notice={
            secret && (
              <>
                {t("ad.wh.secret")}
                <code class="secret">{secret}</code>
              </>
            )
          }
          busy={busy}
          submit={t("ad.wh.add")}
        />
      </form>
      <FormError text={row.errors.form} />
      {hooks.data.length === 0 ? (
        <p class="empty">{t("ad.wh.empty")}</p>
      ) : (
        <ul class="webhooks">
          {hooks.data.map((w) => (
            <li key={w.id} class="card">
              <p>
                <strong>{w.url}</strong> — {agencyName(w.agencyId, t("ad.ex.allAgencies"))} —{" "}
                <span class={w.paused ? "field-error" : "notice"}>{w.paused ? t("ad.wh.paused") : t("ad.wh.active")}</span>
              </p>
              <p>
                {w.events.map((e) => (
                  <code key={e} class="chip">
                    {e}
                  </code>
                ))}
              </p>
              <div class="buttons">
                <button type="button" disabled={row.busy} onClick={() => void change(w, { paused: !w.paused })}>
                  {w.paused ? t("ad.wh.resume") : t("ad.wh.pause")}
                </button>
                <button type="button" disabled={row.busy} onClick={() => void change(w, { rotateSecret: true })}>
                  {t("ad.wh.rotate")}
                </button>
                <button
                  type="button"
                  disabled={row.busy}
                  onClick={() =>
                    void row.run(async () => {
                      await api("DELETE", `/webhooks/${encodeURIComponent(w.id)}`);
                      await hooks.reload();
                    })
                  }
                >
                  {t("ad.wh.remove", { url: w.url })}
                </button>
              </div>
              <details>
                <summary>{t("ad.wh.deliveries")}</summary>
                <Deliveries id={w.id} />
              </details>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** `2026-12-07` (a day in Asia/Ho_Chi_Minh) as the instant it starts or ends. */
const dayStart = (d: string) => (d ? `${d}T00:00:00+07:00` : undefined);
const dayEnd = (d: string) => (d ? `${d}T23:59:59.999+07:00` : undefined);

/** The audit log: who did what and when, filtered by days, action and agency; CSV with the same filters. */
export function AuditSection({ agencies }: { agencies: Agency[] }) {
  const [entries, setEntries] = useState<AuditEntry[] | undefined>();
  const { form: filters, field, select, errors, busy, run } = useFields({ from: "", to: "", action: "", agencyId: "" });
  const params = (f: typeof filters, extra: Record<string, string> = {}) => {
    const q: Record<string, string | undefined> = {
      from: dayStart(f.from),
      to: dayEnd(f.to),
      action: f.action.trim() || undefined,
      agencyId: f.agencyId || undefined,
      ...extra,
    };
    return new URLSearchParams(Object.entries(q).filter((e): e is [string, string] => Boolean(e[1]))).toString();
  };
  const load = (f: typeof filters) =>
    run(async () => {
      setEntries((await api<{ data: AuditEntry[] }>("GET", `/audit?${params(f, { limit: "200" })}`)).data);
    });
  useEffect(() => {
    void load(filters);
  }, []);
  const agencyName = agencyNamer(agencies);
  return (
    <>
      <form
        class="toolbar"
        noValidate
        aria-label={t("ad.audit.filters")}
        onSubmit={(e) => {
          e.preventDefault();
          void load(filters);
        }}
      >
        <Field {...field("from")} type="date" label={t("ad.audit.from")} />
        <Field {...field("to")} type="date" label={t("ad.audit.to")} />
        <Field {...field("action")} label={t("ad.audit.action")} hint={t("ad.audit.actionHint")} />
        <SelectField {...select("agencyId")} label={t("ad.ex.agency")}>
          <AgencyOptions agencies={agencies} none={t("ad.ex.allAgencies")} />
        </SelectField>
        <div class="field">
          <button type="submit" class="primary" disabled={busy}>
            {t("ad.audit.show")}
          </button>
        </div>
      </form>
      <FormError text={errors.form} />
      <p class="downloads">
        <a href={`/api/audit?${params(filters, { format: "csv", limit: "1000" })}`} download>
          {t("ad.audit.csv")}
        </a>
      </p>
      {entries === undefined ? (
        errors.form ? null : (
          <Loading error={undefined} />
        )
      ) : entries.length === 0 ? (
        <p class="empty">{t("ad.audit.empty")}</p>
      ) : (
        <DataTable
          caption={t("ad.audit")}
          columns={[t("ad.audit.at"), t("ad.audit.who"), t("ad.audit.action"), t("ad.audit.entity"), t("ad.ex.agency")]}
        >
          {entries.map((e) => (
            <tr key={e.id}>
              <td>{formatDateTime(e.at)}</td>
              <td>{e.actorName ?? e.actorId}</td>
              <th scope="row">
                <code>{e.action}</code>
              </th>
              <td>
                {e.entity} <code>{e.entityId.slice(0, 12)}</code>
              </td>
              <td>{agencyName(e.agencyId, t("ad.none"))}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </>
  );
}
