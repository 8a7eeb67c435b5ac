import { useState } from "preact/hooks";
import { t } from "../i18n.js";
import type { MessageKey } from "../messages.js";
import { Page } from "../ui.js";
import { AgenciesSection, type Agency } from "./admin/agencies.js";
import { ChannelsSection } from "./admin/channels.js";
import { Loading, useList } from "./admin/common.js";
import { AuditSection, WebhooksSection } from "./admin/notify.js";
import { RulesSection } from "./admin/rules.js";
import { TokensSection, UsersSection } from "./admin/users.js";

const SECTIONS = ["agencies", "channels", "users", "tokens", "rules", "webhooks", "audit"] as const;
type Section = (typeof SECTIONS)[number];

/** The admins' home: agencies, channels and their connections, users and passwords, tokens, obligations and exemptions. */
export default function AdminPage() {
  const [section, setSection] = useState<Section>(() => {
    const wanted = new URLSearchParams(window.location.search).get("section");
    return (SECTIONS as readonly string[]).includes(wanted ?? "") ? (wanted as Section) : "agencies";
  });
  const agencies = useList<Agency>("/agencies");
  const open = (s: Section) => {
    setSection(s);
    window.history.replaceState(null, "", `?section=${s}`);
  };
  return (
    <Page title={t("home.admin")}>
      <nav aria-label={t("ad.sections")} class="subnav">
        <ul>
          {SECTIONS.map((s) => (
            <li key={s}>
              <button type="button" aria-current={section === s ? "page" : undefined} onClick={() => open(s)}>
                {t(`ad.${s}` as MessageKey)}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <section aria-labelledby="admin-section">
        <h2 id="admin-section" class="sr-only">
          {t(`ad.${section}` as MessageKey)}
        </h2>
        {section === "agencies" ? (
          <AgenciesSection />
        ) : !agencies.data ? (
          <Loading error={agencies.error} />
        ) : section === "channels" ? (
          <ChannelsSection agencies={agencies.data} />
        ) : section === "users" ? (
          <UsersSection agencies={agencies.data} />
        ) : section === "tokens" ? (
          <TokensSection />
        ) : section === "rules" ? (
          <RulesSection agencies={agencies.data} />
        ) : section === "webhooks" ? (
          <WebhooksSection agencies={agencies.data} />
        ) : (
          <AuditSection agencies={agencies.data} />
        )}
      </section>
    </Page>
  );
}
