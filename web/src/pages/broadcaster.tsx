import { useEffect, useState } from "preact/hooks";
import { api, errorText } from "../api.js";
import { formatDate, formatDateTime, t } from "../i18n.js";
import { FormError, Page } from "../ui.js";

/** A station as `GET /api/broadcast/stations` lists it (only what this page shows). */
interface Station {
  id: string;
  name: string;
  kind: string;
  agencyId: string;
}
/** One item of a week's script, as `GET /api/broadcast/stations/:id/weeks/:week` answers it. */
interface Entry {
  itemId: string;
  deliveryId: string;
  title: string;
  text: string;
  readAloud: string;
  priority: "thuong" | "uu_tien" | "khan_cap";
  priorityLabel: string;
  slot: string;
  readingSeconds: number;
  addendum: boolean;
  synthetic: boolean;
}
interface Part {
  text: string;
  readAloud: string;
  readingSeconds: number;
}
interface Script {
  station: { id: string; name: string; area: string | null; agency: { name: string } };
  week: string;
  from: string;
  to: string;
  frozen: boolean;
  frozenAt: string | null;
  opening: Part;
  entries: Entry[];
  addenda: Entry[];
  closing: Part;
  totalSeconds: number;
}
interface Airing {
  itemId: string;
  airedAt: string;
}

const SCRIPT_KINDS = ["loudspeaker", "radio_tv"];
const SIZES = [1.25, 1.5, 1.875, 2.25];

/** The ISO week (`2026-W49`) of a calendar date `YYYY-MM-DD` moved by `days`; navigation only, the API decides what a week holds. */
export function shiftWeek(ymd: string, days: number): string {
  const d = new Date(`${ymd}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  const thursday = new Date(d);
  thursday.setUTCDate(d.getUTCDate() + 3 - ((d.getUTCDay() + 6) % 7));
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / 86_400_000 / 7) + 1;
  return `${year}-W${String(week).padStart(2, "0")}`;
}

/** `2026-12-02T06:05` typed in a datetime-local field is a time in Asia/Ho_Chi_Minh (UTC+7 all year). */
const fromLocalInput = (value: string) => new Date(`${value}:00+07:00`).toISOString();

function ItemCard({ entry, base, aired, onAired }: { entry: Entry; base: string; aired: Airing[]; onAired: () => void }) {
  const [at, setAt] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const last = aired.at(-1);
  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const airedAt = at ? fromLocalInput(at) : new Date().toISOString();
      await api("POST", `${base}/aired`, { items: [{ itemId: entry.itemId, airedAt }] });
      setAt("");
      onAired();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const fieldId = `aired-${entry.itemId}`;
  return (
    <article class={`script-item priority-${entry.priority}`} aria-labelledby={`t-${entry.itemId}`}>
      <header>
        <h3 id={`t-${entry.itemId}`}>{entry.title}</h3>
        <p class="meta">
          <span class="badge">{entry.priorityLabel}</span> {t("bc.slot", { at: formatDateTime(entry.slot) })} ·{" "}
          {t("bc.reading", { seconds: entry.readingSeconds })} · {entry.synthetic ? t("bc.synthetic") : t("bc.recording")}
        </p>
      </header>
      <p class="read-aloud">{entry.readAloud}</p>
      {/* biome-ignore lint/a11y/useMediaCaption: spoken news read from the text shown just above */}
      <audio
        controls
        preload="none"
        src={`/api${base}/items/${encodeURIComponent(entry.itemId)}.mp3`}
        aria-label={t("bc.audioOf", { title: entry.title })}
      />
      <div class="aired">
        {last && (
          <p class="notice" role="status">
            {aired.length > 1
              ? t("bc.airedTimes", { count: aired.length, at: formatDateTime(last.airedAt) })
              : t("bc.aired", { at: formatDateTime(last.airedAt) })}
          </p>
        )}
        <div class="field inline">
          <label for={fieldId}>{t("bc.airedAt")}</label>
          <input
            id={fieldId}
            type="datetime-local"
            value={at}
            onInput={(e) => setAt((e.target as HTMLInputElement).value)}
            aria-invalid={error ? "true" : undefined}
            aria-describedby={error ? `${fieldId}-error` : undefined}
          />
        </div>
        <button type="button" class="primary" disabled={busy} onClick={() => void confirm()}>
          {busy ? t("bc.confirming") : t("bc.confirm")}
        </button>
        {error && (
          <p class="field-error" id={`${fieldId}-error`} role="alert">
            {error}
          </p>
        )}
      </div>
    </article>
  );
}

/** The broadcaster's home: their stations' weekly scripts to read aloud, listen to, print, download, and confirm as aired. */
export default function BroadcasterPage() {
  const [stations, setStations] = useState<Station[] | undefined>();
  const [stationId, setStationId] = useState("");
  const [week, setWeek] = useState("current");
  const [script, setScript] = useState<Script | undefined>();
  const [airings, setAirings] = useState<Airing[]>([]);
  const [error, setError] = useState<string | undefined>();
  const [size, setSize] = useState(1);

  useEffect(() => {
    api<{ data: Station[] }>("GET", "/broadcast/stations").then(
      ({ data }) => {
        const own = data.filter((s) => SCRIPT_KINDS.includes(s.kind));
        setStations(own);
        setStationId(own[0]?.id ?? "");
      },
      (err) => setError(errorText(err)),
    );
  }, []);

  const base = `/broadcast/stations/${encodeURIComponent(stationId)}/weeks/${encodeURIComponent(script?.week ?? week)}`;
  const loadAirings = (path: string) =>
    api<{ data: Airing[] }>("GET", `${path}/aired`).then(
      ({ data }) => setAirings(data),
      (err) => setError(errorText(err)),
    );

  useEffect(() => {
    if (!stationId) return;
    const path = `/broadcast/stations/${encodeURIComponent(stationId)}/weeks/${encodeURIComponent(week)}`;
    setError(undefined);
    api<Script>("GET", path).then(
      (s) => {
        setScript(s);
        void loadAirings(`/broadcast/stations/${encodeURIComponent(stationId)}/weeks/${s.week}`);
      },
      (err) => {
        setScript(undefined);
        setError(errorText(err));
      },
    );
  }, [stationId, week]);

  if (stations === undefined)
    return <Page title={t("home.broadcaster")}>{error ? <FormError text={error} /> : <p class="loading">{t("app.loading")}</p>}</Page>;
  if (stations.length === 0)
    return (
      <Page title={t("home.broadcaster")}>
        <p class="empty">{t("bc.noStations")}</p>
      </Page>
    );

  const entries = script ? [...script.entries, ...script.addenda] : [];
  const airedOf = (itemId: string) => airings.filter((a) => a.itemId === itemId);
  const card = (e: Entry) => (
    <ItemCard key={e.itemId} entry={e} base={base} aired={airedOf(e.itemId)} onAired={() => void loadAirings(base)} />
  );
  return (
    <Page title={t("home.broadcaster")}>
      <div class="toolbar no-print">
        <div class="field">
          <label for="bc-station">{t("bc.station")}</label>
          <select id="bc-station" value={stationId} onChange={(e) => setStationId((e.target as HTMLSelectElement).value)}>
            {stations.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="bc-week">{t("bc.week")}</label>
          <input
            id="bc-week"
            type="week"
            value={script?.week ?? ""}
            onChange={(e) => {
              const v = (e.target as HTMLInputElement).value;
              if (v) setWeek(v);
            }}
          />
        </div>
        <div class="buttons">
          {script && (
            <button type="button" onClick={() => setWeek(shiftWeek(script.from, -7))}>
              {t("bc.prevWeek")}
            </button>
          )}
          <button type="button" onClick={() => setWeek("current")}>
            {t("bc.thisWeek")}
          </button>
          {script && (
            <button type="button" onClick={() => setWeek(shiftWeek(script.from, 7))}>
              {t("bc.nextWeek")}
            </button>
          )}
        </div>
        <div class="field">
          <label for="bc-size">{t("bc.textSize")}</label>
          <input
            id="bc-size"
            type="range"
            min={0}
            max={SIZES.length - 1}
            step={1}
            value={size}
            onInput={(e) => setSize(Number((e.target as HTMLInputElement).value))}
          />
        </div>
      </div>
      <FormError text={error} />
      {script && (
        <div class="script" style={{ "--read-size": `${SIZES[size] ?? 1.5}rem` }}>
          <h2>
            {script.station.name} —{" "}
            {t("bc.weekOf", {
              week: script.week,
              from: formatDate(`${script.from}T12:00:00+07:00`),
              to: formatDate(`${script.to}T12:00:00+07:00`),
            })}
          </h2>
          {script.frozen && script.frozenAt && <p class="hint">{t("bc.frozen", { at: formatDateTime(script.frozenAt) })}</p>}
          <p>{t("bc.total", { minutes: Math.max(1, Math.round(script.totalSeconds / 60)) })}</p>
          <div class="downloads no-print">
            <a href={`/api${base}.html`} target="_blank" rel="noopener">
              {t("bc.printView")}
            </a>
            <button type="button" onClick={() => window.print()}>
              {t("bc.print")}
            </button>
            <a href={`/api${base}.docx`} download>
              {t("bc.downloadDocx")}
            </a>
            <a href={`/api${base}.mp3`} download={`chuong-trinh-${script.week}.mp3`}>
              {t("bc.downloadMp3")}
            </a>
          </div>
          {entries.length === 0 ? (
            <p class="empty">{t("bc.noItems", { week: script.week })}</p>
          ) : (
            <>
              <div class="programme no-print">
                <label for="bc-programme">{t("bc.programme")}</label>
                {/* biome-ignore lint/a11y/useMediaCaption: the programme is the text shown below, read aloud */}
                <audio id="bc-programme" controls preload="none" src={`/api${base}.mp3`} />
              </div>
              <section aria-labelledby="bc-opening">
                <h3 id="bc-opening">{t("bc.opening")}</h3>
                <p class="read-aloud">{script.opening.readAloud}</p>
              </section>
              {script.entries.map(card)}
              {script.addenda.length > 0 && (
                <section aria-labelledby="bc-addenda">
                  <h3 id="bc-addenda">{t("bc.addenda")}</h3>
                  {script.addenda.map(card)}
                </section>
              )}
              <section aria-labelledby="bc-closing">
                <h3 id="bc-closing">{t("bc.closing")}</h3>
                <p class="read-aloud">{script.closing.readAloud}</p>
              </section>
            </>
          )}
        </div>
      )}
    </Page>
  );
}
