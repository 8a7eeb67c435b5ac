import { useEffect, useRef, useState } from "preact/hooks";
import { api, errorText } from "../api.js";
import { formatDateTime, t } from "../i18n.js";
import type { MessageKey } from "../messages.js";
import { Field, FormError, Page, useForm } from "../ui.js";

type Status = "met" | "missed" | "at_risk" | "upcoming" | "exempt";
interface Obligation {
  taskCode: string;
  description: string;
  period: "week" | "month" | "year";
  minCount: number;
}
interface Agency {
  id: string;
  name: string;
  kind: string;
}
interface Cell {
  period: string;
  count: number;
  selfReported: number;
  status: Status;
  reason?: string;
  closed?: true;
  differs?: true;
  live?: { count: number; status: Status };
}
interface Summary {
  rate: number | null;
  met: number;
  missed: number;
  atRisk: number;
  upcoming: number;
  exempt: number;
}
interface Matrix {
  task: string;
  obligation: Obligation;
  periods: string[];
  rows: { agency: Agency; cells: Cell[]; summary: Summary }[];
  summary: Summary;
}
interface Publication {
  id: string;
  channelKind: string;
  publishedAt: string;
  url: string | null;
  selfReported: boolean;
  source: "loa" | "evidence" | "broadcaster" | "board";
  note: string | null;
  evidence: { name: string } | null;
}
interface DrillPeriod {
  period: string;
  cell: Cell;
  items: { id: string; title: string; kind: string; selfReported: boolean; publications: Publication[] }[];
  closed: {
    count: number;
    status: Status;
    minCount: number;
    computedAt: string;
    sha256: string;
    intact: boolean;
    differs: boolean;
  } | null;
}
interface Drill {
  agency: Agency;
  obligation: Obligation;
  periods: DrillPeriod[];
}

const KINDS = ["department", "commune", "district", "press", "city_office", "dost"] as const;
const SYMBOL: Record<Status, string> = { met: "✓", missed: "✗", at_risk: "!", exempt: "–", upcoming: "·" };
const statusText = (s: Status) => t(`cb.status.${s}` as MessageKey);
const percent = (rate: number) => `${Math.round(rate * 1000) / 10}%`;
const query = (params: Record<string, string | undefined>) =>
  new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => Boolean(e[1]))).toString();

/** The current week's agencies still below the minimum, over every weekly task. */
function AtRisk({ obligations }: { obligations: Obligation[] }) {
  const [state, setState] = useState<{ period: string; lines: { agency: Agency; task: string; count: number; min: number }[] }>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    const weekly = obligations.filter((o) => o.period === "week");
    const first = weekly[0];
    if (!first) return;
    (async () => {
      // The first answer (this year so far) tells the current week; the others ask for that week only.
      const head = await api<Matrix>("GET", `/compliance?${query({ task: first.taskCode })}`);
      const period = head.periods.at(-1) ?? "";
      const rest = await Promise.all(
        weekly.slice(1).map((o) => api<Matrix>("GET", `/compliance?${query({ task: o.taskCode, from: period, to: period })}`)),
      );
      const lines = [head, ...rest].flatMap((m) =>
        m.rows
          .map((r) => ({ r, cell: r.cells.find((c) => c.period === period) }))
          .filter(({ cell }) => cell?.status === "at_risk")
          .map(({ r, cell }) => ({ agency: r.agency, task: m.task, count: cell?.count ?? 0, min: m.obligation.minCount })),
      );
      setState({ period, lines });
    })().catch((err) => setError(errorText(err)));
  }, [obligations]);
  if (error) return <FormError text={error} />;
  if (!state) return null;
  return (
    <section class="card at-risk" aria-labelledby="cb-at-risk">
      <h2 id="cb-at-risk">{t("cb.atRisk", { period: state.period })}</h2>
      {state.lines.length === 0 ? (
        <p class="empty">{t("cb.atRiskNone")}</p>
      ) : (
        [...new Set(state.lines.map((l) => l.task))].map((task) => {
          const lines = state.lines.filter((l) => l.task === task);
          return (
            <details key={task} open={lines.length <= 10}>
              <summary>{t("cb.atRiskTask", { task, count: lines.length })}</summary>
              <ul class="columns">
                {lines.map((l) => (
                  <li key={l.agency.id}>{t("cb.atRiskItem", { agency: l.agency.name, task: l.task, count: l.count, min: l.min })}</li>
                ))}
              </ul>
            </details>
          );
        })
      )}
    </section>
  );
}

interface Campaign {
  id: string;
  itemTitle: string;
  channel: { id: string; name: string; kind: string };
  agency: { id: string; name: string };
  status: string;
  recipients: number;
  totals: Record<string, number>;
  cost: { segments: number; planned: number };
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}
interface Material {
  id: string;
  title: string;
  agencyId: string;
  topics: string[];
  publishedAt: string;
  withdrawnAt: string | null;
}
interface Reuse {
  materialId: string;
  copies: number;
  publications: number;
  agencies: { agencyId: string; name: string; copies: number; publications: number }[];
}

/** SMS and ZNS campaigns, newest first: delivered of total as a progress bar, status and cost in segments. */
function Campaigns() {
  const [campaigns, setCampaigns] = useState<Campaign[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    api<{ data: Campaign[] }>("GET", "/campaigns?limit=20").then(
      (r) => setCampaigns(r.data),
      (err) => setError(errorText(err)),
    );
  }, []);
  return (
    <section class="card campaigns" aria-labelledby="cb-campaigns">
      <h2 id="cb-campaigns">{t("cb.campaigns")}</h2>
      <FormError text={error} />
      {!campaigns && !error && <p class="loading">{t("app.loading")}</p>}
      {campaigns?.length === 0 && <p class="empty">{t("cb.campaignsNone")}</p>}
      {campaigns && campaigns.length > 0 && (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a table scrolling inside its box on a phone must be reachable from the keyboard (WCAG 2.1.1, axe's scrollable-region-focusable)
        <div class="table-wrap" tabIndex={0}>
          <table class="grid">
            <caption class="sr-only">{t("cb.campaigns")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("cb.campaignItem")}</th>
                <th scope="col">{t("cb.agency")}</th>
                <th scope="col">{t("cb.campaignChannel")}</th>
                <th scope="col">{t("cb.campaignStatus")}</th>
                <th scope="col">{t("cb.campaignProgress")}</th>
                <th scope="col">{t("cb.campaignCost")}</th>
                <th scope="col">{t("cb.campaignCreated")}</th>
              </tr>
            </thead>
            <tbody>
              {campaigns.map((c) => {
                const delivered = c.totals.delivered ?? 0;
                const label = t("cb.campaignDelivered", { delivered, total: c.recipients });
                return (
                  <tr key={c.id}>
                    <th scope="row">{c.itemTitle}</th>
                    <td>{c.agency.name}</td>
                    <td>
                      {c.channel.name} ({t(`channelKind.${c.channel.kind}` as MessageKey)})
                    </td>
                    <td>{t(`cb.campaign.${c.status}` as MessageKey)}</td>
                    <td>
                      <progress max={Math.max(1, c.recipients)} value={delivered} aria-label={`${c.itemTitle}: ${label}`} />{" "}
                      <span>{label}</span>
                    </td>
                    <td>{t("cb.campaignSegments", { segments: c.cost.segments, planned: c.cost.planned })}</td>
                    <td>{formatDateTime(c.createdAt)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** The shared library: each material with how many agencies copied it and how many publications the copies made. */
function LibraryReuse() {
  const [rows, setRows] = useState<{ material: Material; reuse: Reuse }[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    (async () => {
      const { data } = await api<{ data: Material[] }>("GET", "/library?all=true&limit=50");
      const reuse = await Promise.all(data.map((m) => api<Reuse>("GET", `/library/${encodeURIComponent(m.id)}/reuse`)));
      setRows(data.map((material, i) => ({ material, reuse: reuse[i] as Reuse })));
    })().catch((err) => setError(errorText(err)));
  }, []);
  return (
    <section class="card library-reuse" aria-labelledby="cb-library">
      <h2 id="cb-library">{t("cb.library")}</h2>
      <FormError text={error} />
      {!rows && !error && <p class="loading">{t("app.loading")}</p>}
      {rows?.length === 0 && <p class="empty">{t("cb.libraryNone")}</p>}
      {rows && rows.length > 0 && (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a table scrolling inside its box on a phone must be reachable from the keyboard (WCAG 2.1.1, axe's scrollable-region-focusable)
        <div class="table-wrap" tabIndex={0}>
          <table class="grid">
            <caption class="sr-only">{t("cb.library")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("cb.material")}</th>
                <th scope="col">{t("cb.materialPublished")}</th>
                <th scope="col">{t("cb.materialAgencies")}</th>
                <th scope="col">{t("cb.materialPublications")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ material: m, reuse: r }) => (
                <tr key={m.id}>
                  <th scope="row">
                    {m.title} {m.withdrawnAt && <span class="chip">{t("cb.materialWithdrawn")}</span>}
                  </th>
                  <td>{formatDateTime(m.publishedAt)}</td>
                  <td>
                    {r.agencies.length === 0 ? (
                      "0"
                    ) : (
                      <details>
                        <summary>{r.agencies.length}</summary>
                        <ul>
                          {r.agencies.map((a) => (
                            <li key={a.agencyId}>{t("cb.materialAgency", { agency: a.name, publications: a.publications })}</li>
                          ))}
                        </ul>
                      </details>
                    )}
                  </td>
                  <td>{r.publications}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function DrillDown({ task, agency, period, onClose }: { task: string; agency: Agency; period: string; onClose: () => void }) {
  const [drill, setDrill] = useState<Drill>();
  const [error, setError] = useState<string>();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    setDrill(undefined);
    api<Drill>("GET", `/compliance/agencies/${encodeURIComponent(agency.id)}?${query({ task, from: period, to: period })}`).then(
      (d) => setDrill(d),
      (err) => setError(errorText(err)),
    );
    heading.current?.focus();
  }, [task, agency.id, period]);
  const p = drill?.periods[0];
  return (
    <section class="card drill" aria-labelledby="cb-drill">
      <h2 id="cb-drill" tabIndex={-1} ref={heading}>
        {t("cb.drill", { agency: agency.name, task, period })}
      </h2>
      <FormError text={error} />
      {!drill && !error && <p class="loading">{t("app.loading")}</p>}
      {p && drill && (
        <>
          <p>
            <span class={`chip st-${p.cell.status}`}>{statusText(p.cell.status)}</span>{" "}
            {t("cb.cell", { status: statusText(p.cell.status), count: p.cell.count, min: drill.obligation.minCount })}
          </p>
          {p.cell.reason && <p>{t("cb.exemptReason", { reason: p.cell.reason })}</p>}
          <h3>{t("cb.items")}</h3>
          {p.items.length === 0 ? (
            <p class="empty">{t("cb.noItems")}</p>
          ) : (
            <ul class="drill-items">
              {p.items.map((i) => (
                <li key={i.id}>
                  <strong>{i.title}</strong> {i.selfReported && <span class="chip self">{t("cb.selfReported")}</span>}
                  <ul>
                    {i.publications.map((pub) => (
                      <li key={pub.id}>
                        {t("cb.publication", {
                          channel: t(`channelKind.${pub.channelKind}` as MessageKey),
                          at: formatDateTime(pub.publishedAt),
                          source: t(`cb.source.${pub.source}` as MessageKey),
                        })}
                        {pub.selfReported && <span class="chip self">{t("cb.selfReported")}</span>}
                        {pub.note && <span> — {pub.note}</span>}{" "}
                        {pub.url && (
                          <a href={pub.url} target="_blank" rel="noopener noreferrer">
                            {t("cb.open")}
                          </a>
                        )}{" "}
                        {pub.evidence && (
                          <a href={`/api/publications/${encodeURIComponent(pub.id)}/evidence`} download={pub.evidence.name}>
                            {t("cb.evidenceFile", { name: pub.evidence.name })}
                          </a>
                        )}
                      </li>
                    ))}
                  </ul>
                </li>
              ))}
            </ul>
          )}
          <h3>{t("cb.frozen")}</h3>
          {p.closed ? (
            <ul>
              <li>
                {t("cb.frozenAt", {
                  at: formatDateTime(p.closed.computedAt),
                  status: statusText(p.closed.status),
                  count: p.closed.count,
                  min: p.closed.minCount,
                })}
              </li>
              <li class={p.closed.intact ? "" : "field-error"}>
                {p.closed.intact ? t("cb.intact") : t("cb.notIntact")} (<code>{p.closed.sha256.slice(0, 16)}…</code>)
              </li>
              <li>
                {p.closed.differs && p.cell.live
                  ? t("cb.differs", { status: statusText(p.cell.live.status), count: p.cell.live.count })
                  : t("cb.same")}
              </li>
            </ul>
          ) : (
            <p>{t("cb.notFrozen")}</p>
          )}
        </>
      )}
      <button type="button" onClick={onClose}>
        {t("cb.close")}
      </button>
    </section>
  );
}

/** DOST's compliance board: agencies × periods per task, filters, drill-down to items and evidence, exports, the week's at-risk list, SMS campaigns and library reuse. */
export default function CompliancePage() {
  const [obligations, setObligations] = useState<Obligation[]>();
  const [task, setTask] = useState("");
  const [kind, setKind] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [matrix, setMatrix] = useState<Matrix>();
  const [selected, setSelected] = useState<{ agency: Agency; period: string }>();
  const { errors, busy, run } = useForm(["task", "from", "to"]);

  const load = (q: { task: string; from?: string; to?: string }) =>
    run(async () => {
      setSelected(undefined);
      setMatrix(await api<Matrix>("GET", `/compliance?${query(q)}`));
    });

  useEffect(() => {
    void run(async () => {
      const { data } = await api<{ data: Obligation[] }>("GET", "/obligations");
      setObligations(data);
      const first = data[0];
      if (first) {
        setTask(first.taskCode);
        setMatrix(await api<Matrix>("GET", `/compliance?${query({ task: first.taskCode })}`));
      }
    });
  }, []);

  if (obligations === undefined)
    return (
      <Page title={t("home.auditor")}>{errors.form ? <FormError text={errors.form} /> : <p class="loading">{t("app.loading")}</p>}</Page>
    );
  if (obligations.length === 0)
    return (
      <Page title={t("home.auditor")}>
        <p class="empty">{t("cb.noObligations")}</p>
      </Page>
    );

  const rows = matrix ? matrix.rows.filter((r) => !kind || r.agency.kind === kind) : [];
  const range = matrix ? { task: matrix.task, from: matrix.periods[0], to: matrix.periods.at(-1) } : undefined;
  const year = range?.to?.slice(0, 4);
  const submit = (e: Event) => {
    e.preventDefault();
    void load({ task, from: from.trim(), to: to.trim() });
  };
  return (
    <Page title={t("home.auditor")}>
      <AtRisk obligations={obligations} />
      <form class="toolbar filters" onSubmit={submit} noValidate aria-label={t("cb.filters")}>
        <div class={`field${errors.fields.task ? " field-invalid" : ""}`}>
          <label for="f-task">{t("cb.task")}</label>
          <select id="f-task" name="task" value={task} onChange={(e) => setTask((e.target as HTMLSelectElement).value)}>
            {obligations.map((o) => (
              <option key={o.taskCode} value={o.taskCode}>
                {t("cb.taskOption", {
                  code: o.taskCode,
                  description: o.description.length > 60 ? `${o.description.slice(0, 59)}…` : o.description,
                })}
              </option>
            ))}
          </select>
          {errors.fields.task && (
            <p class="field-error" role="alert">
              {errors.fields.task}
            </p>
          )}
        </div>
        <div class="field">
          <label for="f-kind">{t("cb.kind")}</label>
          <select id="f-kind" value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value)}>
            <option value="">{t("cb.kindAll")}</option>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`agencyKind.${k}`)}
              </option>
            ))}
          </select>
        </div>
        <Field
          name="from"
          label={t("cb.from")}
          hint={t("cb.periodHint")}
          value={from}
          placeholder={matrix?.periods[0]}
          onInput={(e) => setFrom((e.target as HTMLInputElement).value)}
          error={errors.fields.from}
        />
        <Field
          name="to"
          label={t("cb.to")}
          value={to}
          placeholder={matrix?.periods.at(-1)}
          onInput={(e) => setTo((e.target as HTMLInputElement).value)}
          error={errors.fields.to}
        />
        <div class="field">
          <button type="submit" class="primary" disabled={busy}>
            {t("cb.show")}
          </button>
        </div>
      </form>
      <FormError text={errors.form} />
      {matrix && range && (
        <>
          <p>
            <strong>{matrix.summary.rate === null ? t("cb.rateNone") : t("cb.rate", { rate: percent(matrix.summary.rate) })}</strong> —{" "}
            {t("cb.counts", { ...matrix.summary, rate: "" })}
          </p>
          <div class="downloads">
            <span>{t("cb.exports")}:</span>
            <a href={`/api/compliance?${query({ ...range, format: "csv" })}`} download>
              {t("cb.csv")}
            </a>
            <a href={`/api/compliance?${query({ ...range, format: "xlsx" })}`} download>
              {t("cb.xlsx")}
            </a>
            {year && (
              <a href={`/api/reports/annual?${query({ year })}`} download>
                {t("cb.annual", { year })}
              </a>
            )}
          </div>
          <p class="legend">
            <span class="sr-only">{t("cb.legend")}: </span>
            {(Object.keys(SYMBOL) as Status[]).map((s) => (
              <span key={s} class={`chip st-${s}`}>
                {SYMBOL[s]} {statusText(s)}
              </span>
            ))}
            <span>{t("cb.selfMark")}</span> <span>{t("cb.differsMark")}</span>
          </p>
          {selected && (
            <DrillDown task={matrix.task} agency={selected.agency} period={selected.period} onClose={() => setSelected(undefined)} />
          )}
          {rows.length === 0 ? (
            <p class="empty">{t("cb.noRows")}</p>
          ) : (
            <div class="table-wrap heatmap-wrap">
              <table class="grid heatmap">
                <caption>{t("cb.heatmap", { task: matrix.task })}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("cb.agency")}</th>
                    <th scope="col">{t("cb.agencyRate")}</th>
                    {matrix.periods.map((p) => (
                      <th scope="col" key={p}>
                        {p.replace(/^\d{4}-/, "")}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {rows.map((r) => (
                    <tr key={r.agency.id}>
                      <th scope="row">{r.agency.name}</th>
                      <td>{r.summary.rate === null ? "—" : percent(r.summary.rate)}</td>
                      {r.cells.map((c) => {
                        const label = t("cb.cellLabel", {
                          agency: r.agency.name,
                          period: c.period,
                          status: statusText(c.status),
                          count: c.count,
                        });
                        return (
                          <td key={c.period} class={`st-${c.status}`}>
                            <button
                              type="button"
                              class="cell"
                              aria-label={label}
                              title={label}
                              aria-pressed={selected?.agency.id === r.agency.id && selected.period === c.period}
                              onClick={() => setSelected({ agency: r.agency, period: c.period })}
                            >
                              {SYMBOL[c.status]}
                              {c.selfReported > 0 ? "*" : ""}
                              {c.differs ? "≠" : ""}
                            </button>
                          </td>
                        );
                      })}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
      <Campaigns />
      <LibraryReuse />
    </Page>
  );
}
