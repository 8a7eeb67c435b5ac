import { useEffect, useState } from "preact/hooks";
import { api } from "../../api.js";
import { formatDateTime, t } from "../../i18n.js";
import { Field, FormError, useForm } from "../../ui.js";
import type { Agency } from "./agencies.js";
import { Loading, SelectField, useList, value } from "./common.js";

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
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState<string[]>([]);
  const [agencyId, setAgencyId] = useState("");
  const [secret, setSecret] = useState<string | undefined>();
  const { errors, busy, run } = useForm(["url", "events", "agencyId"]);
  const row = useForm([]);
  const names = new Map(agencies.map((a) => [a.id, a.name]));
  const submit = (e: Event) => {
    e.preventDefault();
    setSecret(undefined);
    void run(async () => {
      const created = await api<{ secret: string }>("POST", "/webhooks", { url, events, ...(agencyId ? { agencyId } : {}) });
      setSecret(created.secret);
      setUrl("");
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
        <Field name="url" type="url" label={t("ad.wh.url")} value={url} onInput={(e) => setUrl(value(e))} error={errors.fields.url} />
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
        <SelectField name="agencyId" label={t("ad.wh.agency")} value={agencyId} onChange={setAgencyId} error={errors.fields.agencyId}>
          <option value="">{t("ad.ex.allAgencies")}</option>
          {agencies.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </SelectField>
        <FormError text={errors.form} />
        {secret && (
          <p class="notice" role="status">
            {t("ad.wh.secret")}
            <code class="secret">{secret}</code>
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {t("ad.wh.add")}
        </button>
      </form>
      <FormError text={row.errors.form} />
      {hooks.data.length === 0 ? (
        <p class="empty">{t("ad.wh.empty")}</p>
      ) : (
        <ul class="webhooks">
          {hooks.data.map((w) => (
            <li key={w.id} class="card">
              <p>
                <strong>{w.url}</strong> — {w.agencyId ? (names.get(w.agencyId) ?? w.agencyId) : t("ad.ex.allAgencies")} —{" "}
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
  const [filters, setFilters] = useState({ from: "", to: "", action: "", agencyId: "" });
  const [entries, setEntries] = useState<AuditEntry[] | undefined>();
  const { errors, busy, run } = useForm(["from", "to", "action", "agencyId"]);
  const set = (k: keyof typeof filters) => (v: string) => setFilters({ ...filters, [k]: v });
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
  const names = new Map(agencies.map((a) => [a.id, a.name]));
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
        <Field
          name="from"
          type="date"
          label={t("ad.audit.from")}
          value={filters.from}
          onInput={(e) => set("from")(value(e))}
          error={errors.fields.from}
        />
        <Field
          name="to"
          type="date"
          label={t("ad.audit.to")}
          value={filters.to}
          onInput={(e) => set("to")(value(e))}
          error={errors.fields.to}
        />
        <Field
          name="action"
          label={t("ad.audit.action")}
          hint={t("ad.audit.actionHint")}
          value={filters.action}
          onInput={(e) => set("action")(value(e))}
          error={errors.fields.action}
        />
        <SelectField
          name="agencyId"
          label={t("ad.ex.agency")}
          value={filters.agencyId}
          onChange={set("agencyId")}
          error={errors.fields.agencyId}
        >
          <option value="">{t("ad.ex.allAgencies")}</option>
          {agencies.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
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
        <div class="table-wrap">
          <table class="grid">
            <caption class="sr-only">{t("ad.audit")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("ad.audit.at")}</th>
                <th scope="col">{t("ad.audit.who")}</th>
                <th scope="col">{t("ad.audit.action")}</th>
                <th scope="col">{t("ad.audit.entity")}</th>
                <th scope="col">{t("ad.ex.agency")}</th>
              </tr>
            </thead>
            <tbody>
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
                  <td>{e.agencyId ? (names.get(e.agencyId) ?? e.agencyId) : t("ad.none")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
