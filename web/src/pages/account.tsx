import { useState } from "preact/hooks";
import { api } from "../api.js";
import { t } from "../i18n.js";
import { useSession } from "../session.js";
import { Field, FormEnd, Page, useFields } from "../ui.js";

/** One's own account: who one is signed in as, and changing one's password with the current one. */
export default function AccountPage() {
  const { me } = useSession();
  const [saved, setSaved] = useState(false);
  const { form, setForm, field, errors, busy, run } = useFields({ currentPassword: "", newPassword: "" });
  const submit = (e: Event) => {
    e.preventDefault();
    setSaved(false);
    void run(async () => {
      await api("POST", "/me/password", form);
      setForm({ currentPassword: "", newPassword: "" });
      setSaved(true);
    });
  };
  return (
    <Page title={t("account.title")}>
      <p>{t("account.signedInAs", { login: me.login ?? me.name, role: t(`role.${me.role}`) })}</p>
      <form class="card narrow" onSubmit={submit} noValidate aria-labelledby="pw-title">
        <h2 id="pw-title">{t("account.changePassword")}</h2>
        <Field {...field("currentPassword")} type="password" autoComplete="current-password" label={t("account.currentPassword")} />
        <Field {...field("newPassword")} type="password" autoComplete="new-password" label={t("account.newPassword")} />
        <FormEnd error={errors.form} notice={saved && t("account.saved")} busy={busy} submit={t("account.save")} />
      </form>
    </Page>
  );
}
