import { useEffect, useState } from "preact/hooks";
import { api, errorText } from "../api.js";
import { formatDateTime, t } from "../i18n.js";
import { FormError, Page, useForm } from "../ui.js";
import type { Item, ItemKind, Media } from "./officer/data.js";
import { Previews } from "./officer/previews.js";

interface Waiting {
  itemId: string;
  agencyId: string;
  title: string;
  kind: ItemKind;
  submittedAt: string;
  heldDeliveries: number;
  firstHeldAt: string | null;
}

/** The approvers' queue: items submitted and waiting, each with its text and every channel's preview; approve or return with a comment. */
export default function ApprovalsPage() {
  const [queue, setQueue] = useState<Waiting[] | null>(null);
  const [error, setError] = useState<string | undefined>();
  const [open, setOpen] = useState<string | null>(null);
  const [notice, setNotice] = useState("");
  const load = () =>
    api<{ data: Waiting[] }>("GET", "/approvals").then(
      (r) => setQueue(r.data),
      (err) => setError(errorText(err)),
    );
  useEffect(() => {
    void load();
  }, []);
  return (
    <Page title={t("nav.approvals")}>
      <FormError text={error} />
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      {queue?.length === 0 && <p class="empty">{t("approve.empty")}</p>}
      {queue && queue.length > 0 && (
        <ul class="queue">
          {queue.map((w) => (
            <li key={w.itemId} class="card">
              <h2>{w.title}</h2>
              <p>
                {t(`itemKind.${w.kind}`)} — {t("approve.submittedAt", { at: formatDateTime(w.submittedAt) })}
                {w.heldDeliveries > 0 && w.firstHeldAt && (
                  <> — {t("approve.held", { n: w.heldDeliveries, at: formatDateTime(w.firstHeldAt) })}</>
                )}
              </p>
              <button type="button" aria-expanded={open === w.itemId} onClick={() => setOpen(open === w.itemId ? null : w.itemId)}>
                {open === w.itemId ? t("approve.hide") : t("approve.review")}
              </button>
              {open === w.itemId && (
                <Review
                  itemId={w.itemId}
                  onDecided={(text) => {
                    setOpen(null);
                    setNotice(text);
                    void load();
                  }}
                />
              )}
            </li>
          ))}
        </ul>
      )}
    </Page>
  );
}

function Review({ itemId, onDecided }: { itemId: string; onDecided: (notice: string) => void }) {
  const [item, setItem] = useState<Item | null>(null);
  const [media, setMedia] = useState<Media[]>([]);
  const [comment, setComment] = useState("");
  const form = useForm(["comment"]);
  useEffect(() => {
    api<Item>("GET", `/items/${itemId}`).then(setItem, () => undefined);
    api<{ data: Media[] }>("GET", `/items/${itemId}/media`).then(
      (r) => setMedia(r.data),
      () => undefined,
    );
  }, [itemId]);
  const decide = (action: "approve" | "return") =>
    form.run(async () => {
      await api("POST", `/items/${itemId}/${action}`, action === "return" || comment ? { comment } : {});
      onDecided(action === "approve" ? t("approve.approved") : t("approve.returned"));
    });
  if (!item) return <p class="loading">{t("app.loading")}</p>;
  return (
    <div class="review">
      <h3>{t("approve.text")}</h3>
      <p>
        <strong>{item.title}</strong>
      </p>
      <p class="script">{item.body}</p>
      {media.map((m) => m.kind === "image" && <img key={m.id} src={m.url} alt={t("preview.imageAlt", { name: m.name })} class="thumb" />)}
      <Previews itemId={itemId} version={0} image={media.find((m) => m.kind === "image")} wpm={{}} />
      <div class={`field${form.errors.fields.comment ? " field-invalid" : ""}`}>
        <label for={`c-${itemId}`}>{t("approve.comment")}</label>
        <textarea
          id={`c-${itemId}`}
          rows={3}
          value={comment}
          aria-invalid={form.errors.fields.comment ? "true" : undefined}
          aria-describedby={form.errors.fields.comment ? `c-${itemId}-error` : undefined}
          onInput={(e) => setComment((e.target as HTMLTextAreaElement).value)}
        />
        {form.errors.fields.comment && (
          <p class="field-error" id={`c-${itemId}-error`} role="alert">
            {form.errors.fields.comment}
          </p>
        )}
      </div>
      <FormError text={form.errors.form} />
      <div class="actions">
        <button type="button" class="primary" disabled={form.busy} onClick={() => void decide("approve")}>
          {t("approve.approve")}
        </button>
        <button type="button" disabled={form.busy} onClick={() => void decide("return")}>
          {t("approve.return")}
        </button>
      </div>
    </div>
  );
}
