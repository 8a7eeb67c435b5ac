import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";
import { t } from "./i18n.js";

/** The path's parameters a page is given (`/officer/items/:id` → `{ id }`). */
export type PageProps = Record<string, string | undefined>;

/** A page whose code loads when it is first shown (the calendar's library stays out of the first page). */
export type LazyPage = ComponentType<PageProps> & { preload(): void };

export function lazyPage(load: () => Promise<{ default: ComponentType<PageProps> }>): LazyPage {
  let loaded: ComponentType<PageProps> | undefined;
  let loading: Promise<{ default: ComponentType<PageProps> }> | undefined;
  const fetchOnce = () => {
    loading ??= load();
    return loading;
  };
  const page = function LazyPage(props: PageProps) {
    const [Page, setPage] = useState<ComponentType<PageProps> | undefined>(() => loaded);
    useEffect(() => {
      if (!Page)
        void fetchOnce().then((m) => {
          loaded = m.default;
          setPage(() => m.default);
        });
    }, [Page]);
    return Page ? <Page {...props} /> : <p class="loading">{t("app.loading")}</p>;
  };
  /** Starts loading the page's code now (at start, for the page the address names, while the session is checked). */
  page.preload = () => void fetchOnce();
  return page;
}
