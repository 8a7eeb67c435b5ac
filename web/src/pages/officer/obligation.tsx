import { useEffect, useState } from "preact/hooks";
import { api } from "../../api.js";
import { t } from "../../i18n.js";
import { afterMainContent } from "../../ready.js";
import { isoWeek } from "../../vn-time.js";
import type { Obligation } from "./data.js";

interface WeekStatus {
  task: string;
  count: number;
  minCount: number;
  status: string;
}

/**
 * The agency's weekly obligations this ISO week, always on screen for officers: "Tuần 49: 0/1 tin cho
 * nhiệm vụ 1.3 — còn 3 ngày". Counts come from the compliance API; a task that does not apply to the
 * agency (the API's 422) is left out.
 */
export function ObligationBanner({ agencyId }: { agencyId: string }) {
  const [weeks, setWeeks] = useState<WeekStatus[] | null>(null);
  const week = isoWeek();
  useEffect(() => {
    let stop = false;
    const cancel = afterMainContent(() => void load());
    const load = async () => {
      const { data } = await api<{ data: Obligation[] }>("GET", "/obligations");
      const weekly = [...new Set(data.filter((o) => o.period === "week").map((o) => o.taskCode))];
      const rows = await Promise.all(
        weekly.map(async (task): Promise<WeekStatus | null> => {
          const q = new URLSearchParams({ task, from: week.key, to: week.key });
          try {
            const d = await api<{ obligation: Obligation; periods: { cell: { count: number; status: string } }[] }>(
              "GET",
              `/compliance/agencies/${encodeURIComponent(agencyId)}?${q}`,
            );
            const cell = d.periods[0]?.cell;
            return cell ? { task, count: cell.count, minCount: d.obligation.minCount, status: cell.status } : null;
          } catch {
            return null;
          }
        }),
      );
      if (!stop) setWeeks(rows.filter((r): r is WeekStatus => r !== null));
    };
    return () => {
      stop = true;
      cancel();
    };
  }, [agencyId, week.key]);
  if (!weeks?.length) return null;
  return (
    <aside class="obligations" aria-label={t("obl.label")}>
      <ul class="obligation-list">
        {weeks.map((w) => (
          <li key={w.task} class={`obl-${w.status}`}>
            {t("obl.line", { week: week.week, count: w.count, min: w.minCount, task: w.task, days: week.daysLeft })}
          </li>
        ))}
      </ul>
    </aside>
  );
}
