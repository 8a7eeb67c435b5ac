import "./app.css";
import "./roles.css";
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Link, Redirect, Route, Switch, useLocation } from "wouter-preact";
import { api, onSignedOut } from "./api.js";
import { currentLang, onLangChange, t } from "./i18n.js";
import { prefetchMonth } from "./pages/officer/prefetch.js";
import SignInPage from "./pages/signin.js";
import { HOME, PAGES, pagesFor } from "./routes.js";
import { type Me, SessionContext } from "./session.js";
import { Shell } from "./shell.js";
import { Page } from "./ui.js";

function NotFound() {
  return (
    <Page title={t("app.notFound")}>
      <Link href="/">{t("app.backHome")}</Link>
    </Page>
  );
}

function App() {
  const [lang, setLangState] = useState(currentLang());
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [location, navigate] = useLocation();
  useEffect(() => onLangChange(() => setLangState(currentLang())), []);
  useEffect(() => onSignedOut(() => setMe(null)), []);
  useEffect(() => {
    api<Me>("GET", "/me").then(setMe, () => setMe(null));
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  if (me === undefined) return <p class="loading">{t("app.loading")}</p>;
  if (me === null)
    return (
      <SignInPage
        key={lang}
        onSignedIn={(user) => {
          setMe(user);
          if (location === "/" || !pagesFor(user.role).some((p) => p.path === location)) navigate(HOME[user.role]);
        }}
      />
    );
  const signOut = async () => {
    await api("DELETE", "/session").catch(() => undefined);
    setMe(null);
    navigate("/");
  };
  return (
    <SessionContext.Provider value={{ me, signOut }}>
      <Shell key={lang}>
        <Switch>
          <Route path="/">
            <Redirect to={HOME[me.role]} replace />
          </Route>
          {pagesFor(me.role).map(({ path, component: Component }) => (
            <Route key={path} path={path}>
              {(params: Record<string, string | undefined>) => <Component {...params} />}
            </Route>
          ))}
          <Route component={NotFound} />
        </Switch>
      </Shell>
    </SessionContext.Provider>
  );
}

// The code of the page the address names loads while the session is checked; the month calendar's data too.
PAGES.find((p) => p.path === location.pathname)?.component.preload?.();
if (location.pathname === "/officer/calendar" && !window.matchMedia("(max-width: 40rem)").matches) prefetchMonth();

const root = document.getElementById("app");
if (root) render(<App />, root);
