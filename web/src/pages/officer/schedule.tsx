import { useState } from "preact/hooks";
import { ApiError, api, errorText } from "../../api.js";
import { currentLang, formatDateTime, t } from "../../i18n.js";
import { FormError } from "../../ui.js";
import { fromInput, toInput } from "../../vn-time.js";
import type { Channel, DeliveryStatus, Item, Problem } from "./data.js";

interface Scheduled {
  id: string;
  channelId: string;
  status: DeliveryStatus;
  scheduledAt: string;
}

/** Schedules the item on several channels at once, each at a time or at its next free weekly slot. */
export function ScheduleForm({ item, channels }: { item: Item; channels: Channel[] }) {
  const [chosen, setChosen] = useState<string[]>([]);
  const [mode, setMode] = useState<"at" | "slot">("at");
  const [at, setAt] = useState(() => toInput(new Date(Date.now() + 3_600_000)));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | undefined>();
  const [problems, setProblems] = useState<(Problem & { channelId?: string })[]>([]);
  const [done, setDone] = useState<Scheduled[]>([]);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setErrors({});
    setFormError(undefined);
    setProblems([]);
    if (!chosen.length) {
      setErrors({ channels: t("schedule.pickChannel") });
      return;
    }
    setBusy(true);
    try {
      const deliveries = chosen.map((channelId) =>
        mode === "slot" ? { channelId, slot: "next" as const } : { channelId, at: fromInput(at) },
      );
      const r = await api<{ data: Scheduled[] }>("POST", `/items/${item.id}/schedule`, { deliveries });
      setDone(r.data);
      setChosen([]);
    } catch (err) {
      const text = errorText(err);
      const field = err instanceof ApiError ? err.field : undefined;
      const m = field ? /^deliveries\.(\d+)\.(\w+)/.exec(field) : null;
      if (m) {
        const channelId = chosen[Number(m[1])];
        setErrors(m[2] === "at" && mode === "at" ? { at: text } : { [`ch-${channelId}`]: text });
      } else setFormError(text);
      if (err instanceof ApiError && Array.isArray(err.body.problems)) setProblems(err.body.problems as Problem[]);
    } finally {
      setBusy(false);
    }
  };

  const name = (id: string) => channels.find((c) => c.id === id)?.name ?? id;
  return (
    <form class="card schedule" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="schedule-title">
      <h2 id="schedule-title">{t("schedule.title")}</h2>
      {item.status !== "approved" && <p class="hint">{t("schedule.heldHint")}</p>}
      <fieldset class="field" aria-describedby={errors.channels ? "schedule-channels-error" : undefined}>
        <legend>{t("schedule.channels")}</legend>
        {channels.length === 0 && <p class="empty">{t("schedule.noChannels")}</p>}
        {channels.map((c) => (
          <div key={c.id}>
            <label class="check">
              <input
                type="checkbox"
                checked={chosen.includes(c.id)}
                onChange={(e) => setChosen((e.target as HTMLInputElement).checked ? [...chosen, c.id] : chosen.filter((x) => x !== c.id))}
              />{" "}
              {c.name} ({t(`kind.${c.kind}`)})
            </label>
            {errors[`ch-${c.id}`] && (
              <p class="field-error" role="alert">
                {errors[`ch-${c.id}`]}
              </p>
            )}
          </div>
        ))}
        {errors.channels && (
          <p class="field-error" id="schedule-channels-error" role="alert">
            {errors.channels}
          </p>
        )}
      </fieldset>
      <fieldset class="field">
        <legend>{t("schedule.when")}</legend>
        <label class="check">
          <input type="radio" name="mode" checked={mode === "at"} onChange={() => setMode("at")} /> {t("schedule.atTime")}
        </label>
        <label class="check">
          <input type="radio" name="mode" checked={mode === "slot"} onChange={() => setMode("slot")} /> {t("schedule.nextSlot")}
        </label>
      </fieldset>
      {mode === "at" && (
        <div class={`field${errors.at ? " field-invalid" : ""}`}>
          <label for="f-at">{t("schedule.at")}</label>
          <input
            id="f-at"
            type="datetime-local"
            value={at}
            aria-invalid={errors.at ? "true" : undefined}
            aria-describedby={errors.at ? "f-at-error" : undefined}
            onInput={(e) => setAt((e.target as HTMLInputElement).value)}
          />
          {errors.at && (
            <p class="field-error" id="f-at-error" role="alert">
              {errors.at}
            </p>
          )}
        </div>
      )}
      <FormError text={formError} />
      {problems.length > 0 && (
        <ul class="problems">
          {problems.map((p) => (
            <li key={`${p.field}${p.en}`}>
              {p.channelId ? `${name(p.channelId)}: ` : ""}
              {currentLang() === "vi" ? p.vi : p.en}
            </li>
          ))}
        </ul>
      )}
      <button type="submit" class="primary" disabled={busy}>
        {t("schedule.submit")}
      </button>
      {done.length > 0 && (
        <div role="status">
          <p class="notice">{t("schedule.done", { n: done.length })}</p>
          <ul>
            {done.map((d) => (
              <li key={d.id}>
                {name(d.channelId)} — {formatDateTime(d.scheduledAt)} — {t(`status.${d.status}`)}
              </li>
            ))}
          </ul>
        </div>
      )}
    </form>
  );
}
