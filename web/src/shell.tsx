import type { ComponentChildren } from "preact";
import { Link, useLocation } from "wouter-preact";
import { currentLang, type Lang, setLang, t } from "./i18n.js";
import { ObligationBanner } from "./pages/officer/obligation.js";
import { pagesFor } from "./routes.js";
import { useSession } from "./session.js";

/** The frame of every signed-in page: a skip link, the role's navigation, the language, signing out. */
export function Shell({ children }: { children: ComponentChildren }) {
  const { me, signOut } = useSession();
  const [location] = useLocation();
  const nav = pagesFor(me.role).filter((p) => p.nav);
  return (
    <>
      <a class="skip" href="#main">
        {t("app.skip")}
      </a>
      <header class="top">
        <Link href="/" class="brand">
          {t("app.name")}
        </Link>
        <nav aria-label={t("app.nav")}>
          <ul>
            {nav.map((p) => (
              <li key={p.path}>
                <Link href={p.path} aria-current={location === p.path ? "page" : undefined}>
                  {t(p.nav ?? "app.name")}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <span class="user">
            {me.name} <small>({t(`role.${me.role}`)})</small>
          </span>
          <label class="lang">
            <span class="sr-only">{t("app.language")}</span>
            <select value={currentLang()} onChange={(e) => setLang((e.target as HTMLSelectElement).value as Lang)}>
              <option value="vi">{t("lang.vi")}</option>
              <option value="en">{t("lang.en")}</option>
            </select>
          </label>
          <button type="button" onClick={() => void signOut()}>
            {t("app.signOut")}
          </button>
        </div>
      </header>
      {me.role === "officer" && me.agencyId && <ObligationBanner agencyId={me.agencyId} />}
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
