import { useEffect, useRef, useState } from "preact/hooks";
import { useLocation } from "wouter-preact";
import { api, errorText } from "../../api.js";
import { t } from "../../i18n.js";
import type { PageProps } from "../../lazy.js";
import { useSession } from "../../session.js";
import { Field, FormError, Page, useForm } from "../../ui.js";
import { uploadMedia } from "../../upload.js";
import type { Channel, ChannelKind, Item, ItemKind, Media, Obligation } from "./data.js";
import { Previews } from "./previews.js";
import { ScheduleForm } from "./schedule.js";

interface Draft {
  kind: ItemKind;
  title: string;
  body: string;
  tasks: string[];
  variants: Partial<Record<ChannelKind, { title?: string; body?: string }>>;
}
const ITEM_KINDS: ItemKind[] = ["news", "photo", "infographic", "video", "radio", "programme", "sms"];
const EMPTY: Draft = { kind: "news", title: "", body: "", tasks: [], variants: {} };
/** Edits are saved this long after the last keystroke, then the previews refresh. */
const AUTOSAVE_MS = 700;

const cleanVariants = (v: Draft["variants"]) =>
  Object.fromEntries(
    Object.entries(v)
      .map(([k, x]) => [k, { ...(x?.title ? { title: x.title } : {}), ...(x?.body ? { body: x.body } : {}) }] as const)
      .filter(([, x]) => Object.keys(x).length > 0),
  );

/** Create or edit an item: text, tasks, media (uploaded with progress), per-channel variants, live previews, submit, schedule. */
export default function ComposePage({ id }: PageProps) {
  const { me } = useSession();
  const [, navigate] = useLocation();
  const [item, setItem] = useState<Item | null>(null);
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [channels, setChannels] = useState<Channel[]>([]);
  const [tasks, setTasks] = useState<Obligation[]>([]);
  const [media, setMedia] = useState<Media[]>([]);
  const [upload, setUpload] = useState<{ name: string; fraction: number } | null>(null);
  const [version, setVersion] = useState(0);
  const [notice, setNotice] = useState("");
  const [loadError, setLoadError] = useState<string | undefined>();
  const form = useForm(["kind", "title", "body", "tasks", "mediaIds", "file", "variants"]);
  const timer = useRef<number | undefined>();
  const agencyId = item?.agencyId ?? me.agencyId ?? "";

  useEffect(() => {
    if (!id) return;
    Promise.all([api<Item>("GET", `/items/${id}`), api<{ data: Media[] }>("GET", `/items/${id}/media`)]).then(
      ([i, m]) => {
        setItem(i);
        setDraft({ kind: i.kind, title: i.title, body: i.body, tasks: i.tasks, variants: i.variants ?? {} });
        setMedia(m.data);
      },
      (err) => setLoadError(errorText(err)),
    );
  }, [id]);
  useEffect(() => {
    if (!agencyId) return;
    api<{ data: Channel[] }>("GET", `/channels?agencyId=${encodeURIComponent(agencyId)}`).then(
      (r) => setChannels(r.data),
      () => undefined,
    );
    api<{ data: Obligation[] }>("GET", "/obligations").then(
      (r) => setTasks([...new Map(r.data.map((o) => [o.taskCode, o])).values()]),
      () => undefined,
    );
  }, [agencyId]);

  const editable = !item || item.status === "draft";
  const save = (d: Draft, mediaIds = media.map((m) => m.id)) =>
    form.run(async () => {
      const body = { title: d.title, body: d.body, tasks: d.tasks, variants: cleanVariants(d.variants), mediaIds };
      if (!item) {
        const created = await api<Item>("POST", "/items", { agencyId, kind: d.kind, ...body });
        setItem(created);
        navigate(`/officer/items/${created.id}`, { replace: true });
      } else {
        setItem(await api<Item>("PATCH", `/items/${item.id}`, body));
      }
      setVersion((v) => v + 1);
    });
  const change = (next: Partial<Draft>) => {
    const d = { ...draft, ...next };
    setDraft(d);
    window.clearTimeout(timer.current);
    if (item && editable) timer.current = window.setTimeout(() => void save(d), AUTOSAVE_MS);
  };

  const onFile = async (e: Event) => {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    await form.run(async () => {
      setUpload({ name: file.name, fraction: 0 });
      try {
        let m = await uploadMedia<Media>(agencyId, file, (fraction) => setUpload({ name: file.name, fraction }));
        setUpload({ name: file.name, fraction: 1 });
        // Processing (variants, thumbnails) runs after the upload: wait for it, briefly.
        for (let i = 0; m.status === "processing" && i < 120; i++) {
          await new Promise((r) => setTimeout(r, 500));
          m = await api<Media>("GET", `/media/${m.id}`);
        }
        const all = [...media.filter((x) => x.id !== m.id), m];
        setMedia(all);
        if (item) await api("PATCH", `/items/${item.id}`, { mediaIds: all.map((x) => x.id) });
        setVersion((v) => v + 1);
      } finally {
        setUpload(null);
        input.value = "";
      }
    });
  };

  const submit = () =>
    form.run(async () => {
      if (!item) return;
      await api("POST", `/items/${item.id}/submit`, {});
      setItem({ ...item, status: "submitted" });
      setNotice(t("compose.submitted"));
    });

  if (loadError)
    return (
      <Page title={t("compose.edit")}>
        <FormError text={loadError} />
      </Page>
    );
  if (id && !item) return <p class="loading">{t("app.loading")}</p>;
  const kinds = [...new Set(channels.map((c) => c.kind))];
  const wpm = Object.fromEntries(channels.map((c) => [c.id, Number(c.settings?.wordsPerMinute) || 160]));
  const image = media.find((m) => m.kind === "image" && m.status === "ready");
  return (
    <Page title={item ? t("compose.edit") : t("compose.new")}>
      {item && (
        <p>
          {t("compose.status")}: <span class={`badge it-${item.status}`}>{t(`itemStatus.${item.status}`)}</span>
        </p>
      )}
      <div class="compose">
        <form
          class="card"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            window.clearTimeout(timer.current);
            void save(draft);
          }}
        >
          <div class="field">
            <label for="f-kind">{t("compose.kind")}</label>
            <select
              id="f-kind"
              value={draft.kind}
              disabled={!!item}
              onChange={(e) => change({ kind: (e.target as HTMLSelectElement).value as ItemKind })}
            >
              {ITEM_KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`itemKind.${k}`)}
                </option>
              ))}
            </select>
          </div>
          <Field
            name="title"
            label={t("compose.title")}
            value={draft.title}
            disabled={!editable}
            onInput={(e) => change({ title: (e.target as HTMLInputElement).value })}
            error={form.errors.fields.title}
          />
          <div class={`field${form.errors.fields.body ? " field-invalid" : ""}`}>
            <label for="f-body">{t("compose.body")}</label>
            <textarea
              id="f-body"
              rows={8}
              value={draft.body}
              disabled={!editable}
              aria-invalid={form.errors.fields.body ? "true" : undefined}
              aria-describedby={form.errors.fields.body ? "f-body-error" : undefined}
              onInput={(e) => change({ body: (e.target as HTMLTextAreaElement).value })}
            />
            {form.errors.fields.body && (
              <p class="field-error" id="f-body-error" role="alert">
                {form.errors.fields.body}
              </p>
            )}
          </div>
          <fieldset class="field" aria-describedby={form.errors.fields.tasks ? "f-tasks-error" : undefined}>
            <legend>{t("compose.tasks")}</legend>
            {tasks.map((o) => (
              <label key={o.taskCode} class="check">
                <input
                  type="checkbox"
                  checked={draft.tasks.includes(o.taskCode)}
                  disabled={!editable}
                  onChange={(e) =>
                    change({
                      tasks: (e.target as HTMLInputElement).checked
                        ? [...draft.tasks, o.taskCode]
                        : draft.tasks.filter((x) => x !== o.taskCode),
                    })
                  }
                />{" "}
                {o.taskCode} — {o.description}
              </label>
            ))}
            {form.errors.fields.tasks && (
              <p class="field-error" id="f-tasks-error" role="alert">
                {form.errors.fields.tasks}
              </p>
            )}
          </fieldset>
          <div class={`field${form.errors.fields.file || form.errors.fields.mediaIds ? " field-invalid" : ""}`}>
            <label for="f-file">{t("compose.media")}</label>
            <p class="hint" id="f-file-hint">
              {item ? t("compose.mediaHint") : t("compose.saveFirst")}
            </p>
            <input
              id="f-file"
              type="file"
              accept="image/*,video/*,audio/*"
              disabled={!item || !editable || !!upload}
              aria-describedby="f-file-hint"
              onChange={(e) => void onFile(e)}
            />
            {upload && (
              <p>
                <label for="upload-progress">{t("compose.uploading", { name: upload.name })}</label>{" "}
                <progress id="upload-progress" max={100} value={Math.round(upload.fraction * 100)}>
                  {Math.round(upload.fraction * 100)}%
                </progress>{" "}
                {Math.round(upload.fraction * 100)}%
              </p>
            )}
            {(form.errors.fields.file ?? form.errors.fields.mediaIds) && (
              <p class="field-error" role="alert">
                {form.errors.fields.file ?? form.errors.fields.mediaIds}
              </p>
            )}
            <ul class="media-list">
              {media.map((m) => (
                <li key={m.id}>
                  {m.kind === "image" && m.status === "ready" && <img src={m.url} alt="" width={64} height={64} />} {m.name} —{" "}
                  {t(`mediaStatus.${m.status}`)}
                  {m.error && <span class="provider-error"> {m.error}</span>}
                </li>
              ))}
            </ul>
          </div>
          {kinds.length > 0 && (
            <details class="variants">
              <summary>{t("compose.variants")}</summary>
              {kinds.map((k) => (
                <fieldset key={k}>
                  <legend>{t(`kind.${k}`)}</legend>
                  <Field
                    name={`variants.${k}.title`}
                    label={t("compose.variantTitle")}
                    value={draft.variants[k]?.title ?? ""}
                    disabled={!editable}
                    onInput={(e) =>
                      change({
                        variants: { ...draft.variants, [k]: { ...draft.variants[k], title: (e.target as HTMLInputElement).value } },
                      })
                    }
                  />
                  <div class="field">
                    <label for={`f-variant-${k}`}>{t("compose.variantBody")}</label>
                    <textarea
                      id={`f-variant-${k}`}
                      rows={3}
                      value={draft.variants[k]?.body ?? ""}
                      disabled={!editable}
                      onInput={(e) =>
                        change({
                          variants: { ...draft.variants, [k]: { ...draft.variants[k], body: (e.target as HTMLTextAreaElement).value } },
                        })
                      }
                    />
                  </div>
                </fieldset>
              ))}
              {form.errors.fields.variants && (
                <p class="field-error" role="alert">
                  {form.errors.fields.variants}
                </p>
              )}
            </details>
          )}
          <FormError text={form.errors.form} />
          {notice && (
            <p class="notice" role="status">
              {notice}
            </p>
          )}
          <div class="actions">
            {editable && (
              <button type="submit" disabled={form.busy}>
                {item ? t("compose.save") : t("compose.create")}
              </button>
            )}
            {item?.status === "draft" && (
              <button type="button" class="primary" disabled={form.busy} onClick={() => void submit()}>
                {t("compose.submit")}
              </button>
            )}
          </div>
        </form>
        {item ? <Previews itemId={item.id} version={version} image={image} wpm={wpm} /> : <p class="empty">{t("preview.afterSave")}</p>}
      </div>
      {item && <ScheduleForm item={item} channels={channels} />}
    </Page>
  );
}
