import { Calendar, type CalendarOptions, type EventInput, type EventSourceFuncArg } from "@fullcalendar/core";
import viLocale from "@fullcalendar/core/locales/vi";
import dayGridPlugin from "@fullcalendar/daygrid";
import interactionPlugin from "@fullcalendar/interaction";
import listPlugin from "@fullcalendar/list";
import timeGridPlugin from "@fullcalendar/timegrid";
import { useEffect, useRef, useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { api, errorText } from "../../api.js";
import { currentLang, formatDateTime, t } from "../../i18n.js";
import { afterMainContent, mainContentReady } from "../../ready.js";
import { useSession } from "../../session.js";
import { FormError, Page } from "../../ui.js";
import { fromInput, fromWall, toInput, toWall } from "../../vn-time.js";
import type { CalendarAnswer, CalendarDelivery, Channel, Delivery, DeliveryStatus } from "./data.js";
import { FailureList } from "./failures.js";
import { prefetchSettled, takePrefetched } from "./prefetch.js";

const STATUSES: DeliveryStatus[] = ["scheduled", "held", "publishing", "published", "failed", "unconfirmed", "cancelled", "missed"];
/** Deliveries that may still move or be cancelled. */
const MOVABLE: DeliveryStatus[] = ["scheduled", "held"];
const RETRYABLE: DeliveryStatus[] = ["failed", "missed", "unconfirmed"];

const toEvent = (d: CalendarDelivery): EventInput => ({
  id: d.id,
  title: `${d.channelName}: ${d.title}`,
  start: toWall(d.at),
  allDay: false,
  editable: MOVABLE.includes(d.status),

  extendedProps: { delivery: d },
});

/** A month cell shows this many deliveries, then "+N": FullCalendar lays out every event it is given, hidden or not. */
const PER_DAY = 3;
/** How often the calendar asks again while it is on screen. */
const REFRESH_MS = 30_000;
/** Ranges longer than this are the month grid (a week is 7 days). */
const WEEK_MS = 8 * 86_400_000;

/**
 * The month grid's events: each day's first deliveries, and one "+N more" event for the rest that opens
 * the day's list. Two thousand deliveries in a month become at most 4 events a day, so the grid paints
 * in a fraction of a second.
 */
function monthEvents(deliveries: CalendarDelivery[]): EventInput[] {
  const byDay = new Map<string, CalendarDelivery[]>();
  // ISO 8601 instants in UTC sort as strings; a plain comparison (not localeCompare's collation) is cheap.
  for (const d of [...deliveries].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))) {
    const day = toWall(d.at).slice(0, 10);
    const list = byDay.get(day) ?? [];
    list.push(d);
    byDay.set(day, list);
  }
  return [...byDay].flatMap(([day, list]) => [
    ...list.slice(0, PER_DAY).map(toEvent),
    ...(list.length > PER_DAY
      ? [
          {
            id: `more-${day}`,
            title: t("cal.more", { n: list.length - PER_DAY }),
            start: day,
            allDay: true,
            editable: false,
            extendedProps: { day },
          },
        ]
      : []),
  ]);
}

/** The agency's deliveries in month, week and list views, by channel and status; drag to reschedule. */
export default function CalendarPage() {
  const { me } = useSession();
  const el = useRef<HTMLDivElement>(null);
  const calendar = useRef<Calendar | null>(null);
  const [channels, setChannels] = useState<Channel[]>([]);
  const [channelId, setChannelId] = useState("");
  const [status, setStatus] = useState("");
  const [selected, setSelected] = useState<CalendarDelivery | null>(null);
  const [error, setError] = useState<string | undefined>();
  const [announce, setAnnounce] = useState("");
  const [failuresVersion, setFailuresVersion] = useState(0);
  const filters = useRef({ channelId: "", status: "" });
  const agencyQuery = me.agencyId ? `&agencyId=${encodeURIComponent(me.agencyId)}` : "";

  useEffect(
    () =>
      afterMainContent(() =>
        api<{ data: Channel[] }>("GET", `/channels?${agencyQuery.slice(1)}`).then(
          (r) => setChannels(r.data),
          () => setChannels([]),
        ),
      ),
    [agencyQuery],
  );

  useEffect(() => {
    let cal: Calendar | undefined;
    let gone = false;
    const build = () => {
      if (gone || !el.current) return;
      performance.mark("loa:calendar-init");
      cal = new Calendar(el.current, options);
      cal.render();
      calendar.current = cal;
    };
    const deliver = (info: EventSourceFuncArg, ok: (events: EventInput[]) => void, r: CalendarAnswer) => {
      ok(info.end.getTime() - info.start.getTime() > WEEK_MS ? monthEvents(r.deliveries) : r.deliveries.map(toEvent));
      document.body.dataset.calendarEvents = String(r.deliveries.length);
      performance.mark("loa:calendar-data");
      requestAnimationFrame(() => {
        performance.mark("loa:calendar-drawn");
        mainContentReady();
      });
    };
    const options: CalendarOptions = {
      plugins: [dayGridPlugin, timeGridPlugin, listPlugin, interactionPlugin],
      // Vietnamese wall-clock times on FullCalendar's UTC zone: see vn-time.ts.
      timeZone: "UTC",
      now: () => toWall(new Date()),
      // Blocks (not dots) in the month grid, so that the status colour carries the text.
      eventDisplay: "block",
      locales: [viLocale],
      locale: currentLang() === "vi" ? "vi" : "en-gb",
      firstDay: 1,
      initialView: window.matchMedia("(max-width: 40rem)").matches ? "listWeek" : "dayGridMonth",
      headerToolbar: { left: "prev,next today", center: "title", right: "dayGridMonth,timeGridWeek,listWeek" },
      buttonText: { today: t("cal.today"), month: t("cal.month"), week: t("cal.week"), list: t("cal.list") },
      height: "auto",
      eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
      slotLabelFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
      eventDurationEditable: false,
      events: (info: EventSourceFuncArg, ok, fail) => {
        const q = new URLSearchParams({ from: fromWall(info.start), to: fromWall(info.end) });
        if (me.agencyId) q.set("agencyId", me.agencyId);
        if (filters.current.channelId) q.set("channelId", filters.current.channelId);
        if (filters.current.status) q.set("status", filters.current.status);
        const filtered = !!(filters.current.channelId || filters.current.status);
        const pre = takePrefetched(info.start, info.end, filtered);
        // Arrived already: given synchronously, so that the first render draws the events.
        if (pre && !(pre instanceof Promise)) return deliver(info, ok, pre);
        (pre ?? api<CalendarAnswer>("GET", `/calendar?${q}`)).then(
          (r) => deliver(info, ok, r),
          (err) => {
            setError(errorText(err));
            fail(err as Error);
          },
        );
      },
      // Month and week views colour the event by status; the list view keeps dark text and says the status.
      eventClassNames: (arg) => {
        const d = arg.event.extendedProps.delivery as CalendarDelivery | undefined;
        if (!d) return ["more"];
        return [arg.view.type.startsWith("list") ? `lst-${d.status}` : `st-${d.status}`];
      },
      eventClick: (arg) => {
        arg.jsEvent.preventDefault();
        const day = arg.event.extendedProps.day as string | undefined;
        if (day) arg.view.calendar.changeView("listDay", day);
        else setSelected(arg.event.extendedProps.delivery as CalendarDelivery);
      },
      eventDidMount: (arg) => {
        const d = arg.event.extendedProps.delivery as CalendarDelivery | undefined;
        if (!d) return;
        arg.el.setAttribute("aria-label", `${d.channelName}: ${d.title} — ${t(`status.${d.status}`)} — ${formatDateTime(d.at)}`);
        const title = arg.el.querySelector(".fc-list-event-title");
        if (title) {
          const badge = document.createElement("span");
          badge.className = `badge st-${d.status}`;
          badge.textContent = t(`status.${d.status}`);
          title.append(" ", badge);
        }
      },
      eventDrop: (arg) => {
        const d = arg.event.extendedProps.delivery as CalendarDelivery;
        const start = arg.event.start;
        if (!start) return arg.revert();
        const at = fromWall(start);
        setError(undefined);
        api("PATCH", `/deliveries/${d.id}`, { at }).then(
          () => {
            arg.event.setExtendedProp("delivery", { ...d, at });
            setAnnounce(t("cal.moved", { title: d.title, at: formatDateTime(at) }));
          },
          (err) => {
            arg.revert();
            setError(errorText(err));
          },
        );
      },
    };
    const settled = prefetchSettled();
    if (settled) void settled.then(build);
    else build();
    // Statuses change on their own (published, failed): the calendar follows while it is on screen.
    const refresh = window.setInterval(() => {
      if (document.visibilityState === "visible") cal?.refetchEvents();
    }, REFRESH_MS);
    return () => {
      gone = true;
      window.clearInterval(refresh);
      cal?.destroy();
    };
  }, [me.agencyId]);

  const refetch = () => {
    calendar.current?.refetchEvents();
    setFailuresVersion((v) => v + 1);
  };
  const applyFilters = (next: { channelId?: string; status?: string }) => {
    filters.current = { ...filters.current, ...next };
    if (next.channelId !== undefined) setChannelId(next.channelId);
    if (next.status !== undefined) setStatus(next.status);
    calendar.current?.refetchEvents();
  };

  return (
    <Page title={t("home.officer")}>
      <div class="toolbar">
        <Link href="/officer/items/new" class="button primary">
          {t("compose.new")}
        </Link>
        <label>
          {t("cal.channel")}{" "}
          <select value={channelId} onChange={(e) => applyFilters({ channelId: (e.target as HTMLSelectElement).value })}>
            <option value="">{t("cal.allChannels")}</option>
            {channels.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("cal.status")}{" "}
          <select value={status} onChange={(e) => applyFilters({ status: (e.target as HTMLSelectElement).value })}>
            <option value="">{t("cal.allStatuses")}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <FormError text={error} />
      <p class="sr-only" role="status">
        {announce}
      </p>
      <ul class="legend" aria-label={t("cal.legend")}>
        {STATUSES.map((s) => (
          <li key={s} class={`st-${s}`}>
            {t(`status.${s}`)}
          </li>
        ))}
      </ul>
      <div ref={el} class="calendar" />
      {selected && <DeliveryPanel delivery={selected} onClose={() => setSelected(null)} onChanged={refetch} />}
      <FailureList agencyId={me.agencyId} version={failuresVersion} onChanged={refetch} />
    </Page>
  );
}

/** One delivery: when, where, its status; cancel it, retry it, open its item; a failure's provider message. */
function DeliveryPanel({ delivery, onClose, onChanged }: { delivery: CalendarDelivery; onClose: () => void; onChanged: () => void }) {
  const [detail, setDetail] = useState<Delivery | null>(null);
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
    setDetail(null);
    api<Delivery>("GET", `/deliveries/${delivery.id}`).then(setDetail, (err) => setError(errorText(err)));
  }, [delivery.id]);
  const act = (method: string, path: string) => {
    setBusy(true);
    setError(undefined);
    api(method, path).then(
      () => {
        setBusy(false);
        onChanged();
        onClose();
      },
      (err) => {
        setBusy(false);
        setError(errorText(err));
      },
    );
  };
  const status = detail?.status ?? delivery.status;
  // The keyboard's way to reschedule (dragging needs a pointer).
  const [at, setAt] = useState(() => toInput(delivery.at));
  const [atError, setAtError] = useState<string | undefined>();
  const move = (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setAtError(undefined);
    api("PATCH", `/deliveries/${delivery.id}`, { at: fromInput(at) }).then(
      () => {
        setBusy(false);
        onChanged();
        onClose();
      },
      (err) => {
        setBusy(false);
        setAtError(errorText(err));
      },
    );
  };
  return (
    <section
      class="panel"
      role="dialog"
      aria-modal="false"
      aria-labelledby="delivery-title"
      onKeyDown={(e) => (e.key === "Escape" ? onClose() : undefined)}
    >
      <h2 id="delivery-title" tabIndex={-1} ref={heading}>
        {delivery.title}
      </h2>
      <dl>
        <dt>{t("cal.channel")}</dt>
        <dd>{delivery.channelName}</dd>
        <dt>{t("cal.time")}</dt>
        <dd>{formatDateTime(detail?.scheduledAt ?? delivery.at)}</dd>
        <dt>{t("cal.status")}</dt>
        <dd>
          <span class={`badge st-${status}`}>{t(`status.${status}`)}</span>
        </dd>
        {detail?.publishedAt && (
          <>
            <dt>{t("cal.publishedAt")}</dt>
            <dd>{formatDateTime(detail.publishedAt)}</dd>
          </>
        )}
        {(detail?.url ?? delivery.url) && (
          <>
            <dt>{t("cal.link")}</dt>
            <dd>
              <a href={detail?.url ?? delivery.url ?? ""} rel="noopener noreferrer" target="_blank">
                {detail?.url ?? delivery.url}
              </a>
            </dd>
          </>
        )}
        {detail?.lastError && (
          <>
            <dt>{t("cal.providerMessage")}</dt>
            <dd class="provider-error">{detail.lastError}</dd>
          </>
        )}
      </dl>
      {MOVABLE.includes(status) && (
        <form class="reschedule" onSubmit={move} noValidate>
          <div class={`field${atError ? " field-invalid" : ""}`}>
            <label for="f-move-at">{t("cal.moveTo")}</label>
            <input
              id="f-move-at"
              type="datetime-local"
              value={at}
              aria-invalid={atError ? "true" : undefined}
              aria-describedby={atError ? "f-move-at-error" : undefined}
              onInput={(e) => setAt((e.target as HTMLInputElement).value)}
            />
            {atError && (
              <p class="field-error" id="f-move-at-error" role="alert">
                {atError}
              </p>
            )}
          </div>
          <button type="submit" disabled={busy}>
            {t("cal.move")}
          </button>
        </form>
      )}
      <FormError text={error} />
      <div class="actions">
        <Link href={`/officer/items/${delivery.itemId}`} class="button">
          {t("cal.openItem")}
        </Link>
        {MOVABLE.includes(status) && (
          <button type="button" disabled={busy} onClick={() => act("DELETE", `/deliveries/${delivery.id}`)}>
            {t("cal.cancel")}
          </button>
        )}
        {RETRYABLE.includes(status) && (
          <button type="button" class="primary" disabled={busy} onClick={() => act("POST", `/deliveries/${delivery.id}/retry`)}>
            {t("cal.retry")}
          </button>
        )}
        <button type="button" onClick={onClose}>
          {t("app.close")}
        </button>
      </div>
    </section>
  );
}
