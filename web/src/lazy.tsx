import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";
import { t } from "./i18n.js";

/** The path's parameters a page is given (`/officer/items/:id` → `{ id }`). */
export type PageProps = Record<string, string | undefined>;

/** A page whose code loads when it is first shown (the calendar's library stays out of the first page). */
export function lazyPage(load: () => Promise<{ default: ComponentType<PageProps> }>): ComponentType<PageProps> {
  let loaded: ComponentType<PageProps> | undefined;
  return function LazyPage(props: PageProps) {
    const [Page, setPage] = useState<ComponentType<PageProps> | undefined>(() => loaded);
    useEffect(() => {
      if (!Page)
        void load().then((m) => {
          loaded = m.default;
          setPage(() => m.default);
        });
    }, [Page]);
    return Page ? <Page {...props} /> : <p class="loading">{t("app.loading")}</p>;
  };
}
