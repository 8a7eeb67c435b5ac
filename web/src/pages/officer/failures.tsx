import { useEffect, useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { api, errorText } from "../../api.js";
import { formatDateTime, t } from "../../i18n.js";
import { afterMainContent } from "../../ready.js";
import { FormError } from "../../ui.js";
import type { Delivery } from "./data.js";

/** The agency's failed deliveries with the provider's message, each with a retry button. */
export function FailureList({ agencyId, version, onChanged }: { agencyId: string | null; version: number; onChanged: () => void }) {
  const [failed, setFailed] = useState<Delivery[] | null>(null);
  const [error, setError] = useState<string | undefined>();
  useEffect(
    () =>
      afterMainContent(() => {
        const q = new URLSearchParams({ status: "failed", limit: "50" });
        if (agencyId) q.set("agencyId", agencyId);
        api<{ data: Delivery[] }>("GET", `/deliveries?${q}`).then(
          (r) => setFailed(r.data),
          (err) => setError(errorText(err)),
        );
      }),
    [agencyId, version],
  );
  const retry = (id: string) =>
    api("POST", `/deliveries/${id}/retry`).then(onChanged, (err) => {
      setError(errorText(err));
    });
  return (
    <section class="failures" aria-labelledby="failures-title">
      <h2 id="failures-title">{t("fail.title")}</h2>
      <FormError text={error} />
      {failed?.length === 0 && <p class="empty">{t("fail.none")}</p>}
      {failed && failed.length > 0 && (
        <ul class="failure-list">
          {failed.map((d) => (
            <li key={d.id} class="card">
              <p>
                <strong>{formatDateTime(d.scheduledAt)}</strong> — {t("fail.attempts", { n: d.attempts })}
              </p>
              <p class="provider-error">{d.lastError ?? t("fail.noMessage")}</p>
              <div class="actions">
                <Link href={`/officer/items/${d.itemId}`} class="button">
                  {t("cal.openItem")}
                </Link>
                <button type="button" class="primary" onClick={() => void retry(d.id)}>
                  {t("cal.retry")}
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
