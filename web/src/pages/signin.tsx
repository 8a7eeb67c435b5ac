import { useState } from "preact/hooks";
import { api } from "../api.js";
import { t } from "../i18n.js";
import type { Me } from "../session.js";
import { Field, FormError, useForm } from "../ui.js";

/** The sign-in page at `/`: a user name and a password. */
export default function SignInPage({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const [login, setLogin] = useState("");
  const [password, setPassword] = useState("");
  const { errors, busy, run } = useForm(["login", "password"]);
  const submit = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const { user } = await api<{ user: Me }>("POST", "/session", { login, password });
      onSignedIn(user);
    });
  };
  return (
    <main id="main" class="signin">
      <form class="card" onSubmit={submit} noValidate aria-labelledby="signin-title">
        <p class="signin-brand">{t("app.name")}</p>
        <p class="tagline">{t("app.tagline")}</p>
        <h1 id="signin-title">{t("signIn.title")}</h1>
        <Field
          name="login"
          label={t("signIn.login")}
          autoComplete="username"
          autoCapitalize="none"
          spellcheck={false}
          required
          value={login}
          onInput={(e) => setLogin((e.target as HTMLInputElement).value)}
          error={errors.fields.login}
        />
        <Field
          name="password"
          type="password"
          label={t("signIn.password")}
          autoComplete="current-password"
          required
          value={password}
          onInput={(e) => setPassword((e.target as HTMLInputElement).value)}
          error={errors.fields.password}
        />
        <FormError text={errors.form} />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t("signIn.working") : t("signIn.submit")}
        </button>
      </form>
    </main>
  );
}
