import { useEffect, useState } from "preact/hooks";
import { ApiError, api, errorText } from "../../api.js";
import { currentLang, t } from "../../i18n.js";
import type { ChannelPreview, Media } from "./data.js";

/** YouTube refuses titles over 100 characters (YouTube Data API, videos resource: snippet.title). */
const YOUTUBE_TITLE_MAX = 100;
/** Loudspeaker stations read at 160 words a minute unless their settings say otherwise. */
const DEFAULT_WPM = 160;

const words = (s: string) => s.split(/\s+/).filter(Boolean).length;

function Problems({ preview }: { preview: ChannelPreview }) {
  if (!preview.problems.length) return <p class="ok-line">{t("preview.noProblems")}</p>;
  return (
    <ul class="problems" aria-label={t("preview.problems")}>
      {preview.problems.map((p) => (
        <li key={`${p.field}${p.en}`}>{currentLang() === "vi" ? p.vi : p.en}</li>
      ))}
    </ul>
  );
}

interface SmsInfo {
  encoding: string;
  segments: number;
  units: number;
}

/** The SMS figures come from `POST /api/sms/preview` (issue 10's); without that route the panel says so. */
function SmsFigures({ text }: { text: string }) {
  const [info, setInfo] = useState<SmsInfo | null | "missing">(null);
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    api<SmsInfo>("POST", "/sms/preview", { text }).then(setInfo, (err) => {
      if (err instanceof ApiError && err.status === 404) setInfo("missing");
      else setError(errorText(err));
    });
  }, [text]);
  if (error) return <p class="form-error">{error}</p>;
  if (info === "missing") return <p class="hint">{t("preview.smsUnavailable")}</p>;
  if (!info) return null;
  return (
    <p class="figures">{t("preview.sms", { encoding: info.encoding, segments: info.segments, units: info.units, cost: info.segments })}</p>
  );
}

/** One channel's preview: what it will show, its limits and the problems its adapter finds. */
function OnePreview({ preview, image, wpm }: { preview: ChannelPreview; image: Media | undefined; wpm: number }) {
  const { text } = preview;
  const head = (
    <h3>
      {preview.channelName} <small>({t(`kind.${preview.kind}`)})</small>
    </h3>
  );
  switch (preview.kind) {
    case "facebook_page":
      return (
        <article class="preview fb" data-kind={preview.kind}>
          {head}
          <div class="fb-post">
            <p class="fb-page">{preview.channelName}</p>
            <p class="fb-text">{text.body}</p>

            {image && <img src={image.url} alt={t("preview.imageAlt", { name: image.name })} />}
          </div>
          <Problems preview={preview} />
        </article>
      );
    case "youtube": {
      const length = [...text.title].length;
      return (
        <article class="preview yt" data-kind={preview.kind}>
          {head}
          <p class="yt-title">{text.title}</p>
          <p class={length > YOUTUBE_TITLE_MAX ? "figures over" : "figures"}>
            {t("preview.titleLength", { n: length, max: YOUTUBE_TITLE_MAX })}
          </p>
          <p class="yt-desc">{text.summary || text.body}</p>
          <Problems preview={preview} />
        </article>
      );
    }
    case "loudspeaker":
    case "radio_tv": {
      const seconds = Math.round((words(text.body) / wpm) * 60);
      return (
        <article class="preview speaker" data-kind={preview.kind}>
          {head}
          <p class="figures">{t("preview.readingTime", { min: Math.floor(seconds / 60), sec: seconds % 60, wpm })}</p>
          <p class="script">{text.body}</p>
          <Problems preview={preview} />
        </article>
      );
    }
    case "sms":
      return (
        <article class="preview sms" data-kind={preview.kind}>
          {head}
          <p class="script">{text.body}</p>
          <SmsFigures text={text.body} />
          <Problems preview={preview} />
        </article>
      );
    default:
      return (
        <article class="preview" data-kind={preview.kind}>
          {head}
          <p>
            <strong>{text.title}</strong>
          </p>
          <p>{text.summary}</p>
          <Problems preview={preview} />
        </article>
      );
  }
}

/** Every channel's preview of a saved item, refreshed when `version` changes (after each save). */
export function Previews({
  itemId,
  version,
  image,
  wpm,
}: {
  itemId: string;
  version: number;
  image: Media | undefined;
  wpm: Record<string, number>;
}) {
  const [previews, setPreviews] = useState<ChannelPreview[] | null>(null);
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    api<{ data: ChannelPreview[] }>("GET", `/items/${itemId}/preview`).then(
      (r) => {
        setPreviews(r.data);
        setError(undefined);
      },
      (err) => setError(errorText(err)),
    );
  }, [itemId, version]);
  return (
    <section class="previews" aria-labelledby="previews-title" aria-live="polite">
      <h2 id="previews-title">{t("preview.title")}</h2>
      {error && <p class="form-error">{error}</p>}
      {previews?.length === 0 && <p class="empty">{t("preview.noChannels")}</p>}
      {previews?.map((p) => (
        <OnePreview key={p.channelId} preview={p} image={image} wpm={wpm[p.channelId] ?? DEFAULT_WPM} />
      ))}
    </section>
  );
}
