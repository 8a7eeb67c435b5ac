import { t } from "../i18n.js";
import { Page } from "../ui.js";

/** A placeholder: this page is built on top of the web foundation. */
export default function Placeholder() {
  return (
    <Page title={t("home.broadcaster")}>
      <p class="empty">{t("app.placeholder")}</p>
    </Page>
  );
}
