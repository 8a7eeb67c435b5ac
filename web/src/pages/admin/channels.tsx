import { useState } from "preact/hooks";
import { api, errorText } from "../../api.js";
import { formatDateTime, t } from "../../i18n.js";
import type { MessageKey } from "../../messages.js";
import type { Agency } from "./agencies.js";
import { agencyNamer, DataTable, Loading, useList } from "./common.js";

interface Channel {
  id: string;
  agencyId: string;
  kind: string;
  name: string;
  hasSecret: boolean;
  tokenExpiresAt: string | null;
  reconnectReason: string | null;
}
/** The providers whose accounts are connected by OAuth (`GET /api/channels/:id/connect`). */
const OAUTH: Record<string, string> = { facebook_page: "Facebook", zalo_oa: "Zalo", youtube: "YouTube" };

/** A channel's connection, in words: the API's flag (`needsReconnect`) decides, the page only says it. */
function state(c: Channel, flagged: boolean): { text: string; bad: boolean } {
  if (c.reconnectReason) return { text: t("ad.channel.reconnect", { reason: c.reconnectReason }), bad: true };
  if (flagged && c.tokenExpiresAt) return { text: t("ad.channel.expiring", { at: formatDateTime(c.tokenExpiresAt) }), bad: true };
  if (OAUTH[c.kind] && !c.hasSecret) return { text: t("ad.channel.noSecret"), bad: true };
  if (c.tokenExpiresAt) return { text: t("ad.channel.expires", { at: formatDateTime(c.tokenExpiresAt) }), bad: false };
  return { text: t("ad.channel.ok"), bad: false };
}

function ConnectButton({ channel }: { channel: Channel }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const provider = OAUTH[channel.kind] ?? channel.kind;
  const connect = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const { url } = await api<{ url: string }>("GET", `/channels/${encodeURIComponent(channel.id)}/connect`);
      window.location.assign(url);
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };
  return (
    <>
      <button
        type="button"
        class="primary"
        disabled={busy}
        onClick={() => void connect()}
        aria-label={`${t("ad.channel.connect", { provider })}: ${channel.name}`}
      >
        {busy ? t("ad.channel.connecting") : t("ad.channel.connect", { provider })}
      </button>
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}

/** Every agency's channels and their connection state; OAuth accounts get a connect button. */
export function ChannelsSection({ agencies }: { agencies: Agency[] }) {
  const all = useList<Channel>("/channels");
  const flagged = useList<Channel>("/channels?needsReconnect=true");
  const [onlyFlagged, setOnlyFlagged] = useState(false);
  if (!all.data || !flagged.data) return <Loading error={all.error ?? flagged.error} />;
  const flaggedIds = new Set(flagged.data.map((c) => c.id));
  const agencyName = agencyNamer(agencies);
  const shown = onlyFlagged ? all.data.filter((c) => flaggedIds.has(c.id)) : all.data;
  return (
    <>
      <div class="field checkbox">
        <input
          id="only-reconnect"
          type="checkbox"
          checked={onlyFlagged}
          onChange={(e) => setOnlyFlagged((e.target as HTMLInputElement).checked)}
        />
        <label for="only-reconnect">
          {t("ad.channel.onlyReconnect")} ({flaggedIds.size})
        </label>
      </div>
      {shown.length === 0 ? (
        <p class="empty">{onlyFlagged ? t("ad.channel.emptyReconnect") : t("ad.channel.empty")}</p>
      ) : (
        <DataTable
          caption={t("ad.channels")}
          columns={[t("ad.channel.name"), t("ad.channel.kind"), t("ad.channel.agency"), t("ad.channel.state")]}
        >
          {shown.map((c) => {
            const s = state(c, flaggedIds.has(c.id));
            return (
              <tr key={c.id}>
                <th scope="row">{c.name}</th>
                <td>{t(`channelKind.${c.kind}` as MessageKey)}</td>
                <td>{agencyName(c.agencyId, "")}</td>
                <td>
                  <p class={s.bad ? "field-error" : "notice"}>{s.text}</p>
                  {OAUTH[c.kind] && <ConnectButton channel={c} />}
                </td>
              </tr>
            );
          })}
        </DataTable>
      )}
    </>
  );
}
