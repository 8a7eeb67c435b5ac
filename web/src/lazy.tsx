import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";
import { t } from "./i18n.js";

/** A page whose code loads when it is first shown (the calendar's library stays out of the first page). */
export function lazyPage(load: () => Promise<{ default: ComponentType }>): ComponentType {
  let loaded: ComponentType | undefined;
  return function LazyPage() {
    const [Page, setPage] = useState<ComponentType | undefined>(() => loaded);
    useEffect(() => {
      if (!Page)
        void load().then((m) => {
          loaded = m.default;
          setPage(() => m.default);
        });
    }, [Page]);
    return Page ? <Page /> : <p class="loading">{t("app.loading")}</p>;
  };
}
