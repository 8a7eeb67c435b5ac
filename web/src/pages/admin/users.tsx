import { useState } from "preact/hooks";
import { api } from "../../api.js";
import { formatDateTime, t } from "../../i18n.js";
import type { MessageKey } from "../../messages.js";
import type { Role } from "../../routes.js";
import { Field, FormError, useForm } from "../../ui.js";
import type { Agency } from "./agencies.js";
import { Loading, SelectField, useList, value } from "./common.js";

interface User {
  id: string;
  name: string;
  login: string | null;
  role: Role;
  agencyId: string | null;
  email: string | null;
  active: boolean;
}
interface Station {
  id: string;
  name: string;
  agencyId: string;
}
interface Token {
  id: string;
  userId: string;
  name: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
  valid: boolean;
  current: boolean;
}
const ROLES: Role[] = ["officer", "approver", "broadcaster", "auditor", "admin"];
const roleLabel = (r: string) => t(`role.${r}` as MessageKey);

function ResetPassword({ user, onDone }: { user: User; onDone: () => void }) {
  const [password, setPassword] = useState("");
  const [login, setLogin] = useState(user.login ?? "");
  const [done, setDone] = useState(false);
  const { errors, busy, run } = useForm(["password", "login"]);
  const submit = (e: Event) => {
    e.preventDefault();
    setDone(false);
    void run(async () => {
      await api("PUT", `/users/${encodeURIComponent(user.id)}/password`, { password, ...(user.login ? {} : { login }) });
      setPassword("");
      setDone(true);
      onDone();
    });
  };
  return (
    <form class="inline-form" onSubmit={submit} noValidate aria-label={t("ad.user.resetFor", { name: user.name })}>
      {!user.login && (
        <Field
          name="login"
          id={`r-login-${user.id}`}
          label={t("ad.user.login")}
          value={login}
          onInput={(e) => setLogin(value(e))}
          error={errors.fields.login}
        />
      )}
      <Field
        name="password"
        id={`r-password-${user.id}`}
        type="password"
        autoComplete="new-password"
        label={t("ad.user.newPassword", { name: user.name })}
        value={password}
        onInput={(e) => setPassword(value(e))}
        error={errors.fields.password}
      />
      <FormError text={errors.form} />
      {done && (
        <p class="notice" role="status">
          {t("ad.user.resetDone", { name: user.name })}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {t("ad.user.reset")}
      </button>
    </form>
  );
}

function ActiveToggle({ user, onDone }: { user: User; onDone: () => void }) {
  const { errors, busy, run } = useForm([]);
  const label = user.active ? t("ad.user.deactivate", { name: user.name }) : t("ad.user.reactivate", { name: user.name });
  return (
    <>
      <button
        type="button"
        disabled={busy}
        onClick={() =>
          void run(async () => {
            await api("PATCH", `/users/${encodeURIComponent(user.id)}`, { active: !user.active });
            onDone();
          })
        }
      >
        {label}
      </button>
      <FormError text={errors.form} />
    </>
  );
}

/** Users: creating one with a user name and password (a broadcaster with their stations), resetting a password, deactivating. */
export function UsersSection({ agencies }: { agencies: Agency[] }) {
  const users = useList<User>("/users");
  const stations = useList<Station>("/broadcast/stations");
  const [form, setForm] = useState({ name: "", login: "", password: "", role: "officer", agencyId: "", email: "" });
  const [stationIds, setStationIds] = useState<string[]>([]);
  const [created, setCreated] = useState<string | undefined>();
  const { errors, busy, run } = useForm(["name", "login", "password", "role", "agencyId", "email", "stationIds"]);
  const set = (k: keyof typeof form) => (v: string) => setForm({ ...form, [k]: v });
  const names = new Map(agencies.map((a) => [a.id, a.name]));
  const submit = (e: Event) => {
    e.preventDefault();
    setCreated(undefined);
    void run(async () => {
      const body = {
        name: form.name,
        role: form.role,
        ...(form.login ? { login: form.login } : {}),
        ...(form.password ? { password: form.password } : {}),
        ...(form.agencyId ? { agencyId: form.agencyId } : {}),
        ...(form.email ? { email: form.email } : {}),
        ...(form.role === "broadcaster" ? { stationIds } : {}),
      };
      const user = await api<User & { token: string }>("POST", "/users", body);
      setCreated(t("ad.user.created", { name: user.name, token: user.token }));
      setForm({ name: "", login: "", password: "", role: form.role, agencyId: form.agencyId, email: "" });
      setStationIds([]);
      await users.reload();
    });
  };
  if (!users.data) return <Loading error={users.error} />;
  const agencyStations = (stations.data ?? []).filter((s) => s.agencyId === form.agencyId);
  return (
    <>
      <form class="card" onSubmit={submit} noValidate aria-labelledby="add-user">
        <h2 id="add-user">{t("ad.user.add")}</h2>
        <div class="form-grid">
          <Field
            name="name"
            label={t("ad.user.name")}
            value={form.name}
            onInput={(e) => set("name")(value(e))}
            error={errors.fields.name}
          />
          <Field
            name="login"
            label={t("ad.user.login")}
            hint={t("ad.user.loginHint")}
            autoComplete="off"
            autoCapitalize="none"
            value={form.login}
            onInput={(e) => set("login")(value(e))}
            error={errors.fields.login}
          />
          <Field
            name="password"
            type="password"
            autoComplete="new-password"
            label={t("ad.user.password")}
            value={form.password}
            onInput={(e) => set("password")(value(e))}
            error={errors.fields.password}
          />
          <SelectField name="role" label={t("ad.user.role")} value={form.role} onChange={set("role")} error={errors.fields.role}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {roleLabel(r)}
              </option>
            ))}
          </SelectField>
          <SelectField
            name="agencyId"
            label={t("ad.user.agency")}
            value={form.agencyId}
            onChange={set("agencyId")}
            error={errors.fields.agencyId}
          >
            <option value="">{t("ad.user.noAgency")}</option>
            {agencies.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </SelectField>
          <Field
            name="email"
            type="email"
            label={t("ad.user.email")}
            value={form.email}
            onInput={(e) => set("email")(value(e))}
            error={errors.fields.email}
          />
          {form.role === "broadcaster" && (
            <div class={`field${errors.fields.stationIds ? " field-invalid" : ""}`}>
              <label for="f-stationIds">{t("ad.user.stations")}</label>
              <p class="hint" id="f-stationIds-hint">
                {t("ad.user.stationsHint")}
              </p>
              <select
                id="f-stationIds"
                multiple
                size={Math.min(6, Math.max(2, agencyStations.length))}
                aria-describedby={errors.fields.stationIds ? "f-stationIds-hint f-stationIds-error" : "f-stationIds-hint"}
                aria-invalid={errors.fields.stationIds ? "true" : undefined}
                onChange={(e) => setStationIds([...(e.target as HTMLSelectElement).selectedOptions].map((o) => o.value))}
              >
                {agencyStations.map((s) => (
                  <option key={s.id} value={s.id} selected={stationIds.includes(s.id)}>
                    {s.name}
                  </option>
                ))}
              </select>
              {errors.fields.stationIds && (
                <p class="field-error" id="f-stationIds-error" role="alert">
                  {errors.fields.stationIds}
                </p>
              )}
            </div>
          )}
        </div>
        <FormError text={errors.form} />
        {created && (
          <p class="notice" role="status">
            {created}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {t("ad.user.add")}
        </button>
      </form>
      {users.data.length <= 1 ? (
        <p class="empty">{t("ad.user.empty")}</p>
      ) : (
        <div class="table-wrap">
          <table class="grid">
            <caption class="sr-only">{t("ad.users")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("ad.user.name")}</th>
                <th scope="col">{t("ad.user.login")}</th>
                <th scope="col">{t("ad.user.role")}</th>
                <th scope="col">{t("ad.user.agency")}</th>
                <th scope="col">{t("ad.user.state")}</th>
              </tr>
            </thead>
            <tbody>
              {users.data.map((u) => (
                <tr key={u.id}>
                  <th scope="row">{u.name}</th>
                  <td>{u.login ?? t("ad.none")}</td>
                  <td>{roleLabel(u.role)}</td>
                  <td>{u.agencyId ? (names.get(u.agencyId) ?? u.agencyId) : t("ad.none")}</td>
                  <td>
                    <p class={u.active ? "notice" : "field-error"}>{u.active ? t("ad.user.active") : t("ad.user.inactive")}</p>
                    <ActiveToggle user={u} onDone={() => void users.reload()} />
                    <details>
                      <summary>{t("ad.user.resetFor", { name: u.name })}</summary>
                      <ResetPassword user={u} onDone={() => undefined} />
                    </details>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

/** API tokens: everyone's (never their value), revoking one, minting one for oneself (shown once). */
export function TokensSection() {
  const tokens = useList<Token>("/tokens");
  const users = useList<User>("/users");
  const [name, setName] = useState("");
  const [expiresIn, setExpiresIn] = useState("");
  const [minted, setMinted] = useState<string | undefined>();
  const { errors, busy, run } = useForm(["name", "expiresIn"]);
  const revoke = useForm([]);
  const owners = new Map((users.data ?? []).map((u) => [u.id, u.name]));
  const submit = (e: Event) => {
    e.preventDefault();
    setMinted(undefined);
    void run(async () => {
      const r = await api<{ token: string }>("POST", "/tokens", { ...(name ? { name } : {}), ...(expiresIn ? { expiresIn } : {}) });
      setMinted(r.token);
      setName("");
      setExpiresIn("");
      await tokens.reload();
    });
  };
  if (!tokens.data) return <Loading error={tokens.error} />;
  const stateOf = (tk: Token) => (tk.revokedAt ? t("ad.token.revoked") : tk.valid ? t("ad.token.valid") : t("ad.token.expired"));
  return (
    <>
      <form class="card" onSubmit={submit} noValidate aria-labelledby="mint-token">
        <h2 id="mint-token">{t("ad.token.mint")}</h2>
        <div class="form-grid">
          <Field
            name="name"
            id="f-token-name"
            label={t("ad.token.name")}
            value={name}
            onInput={(e) => setName(value(e))}
            error={errors.fields.name}
          />
          <Field
            name="expiresIn"
            label={t("ad.token.expiresIn")}
            hint={t("ad.token.expiresInHint")}
            value={expiresIn}
            onInput={(e) => setExpiresIn(value(e))}
            error={errors.fields.expiresIn}
          />
        </div>
        <FormError text={errors.form} />
        {minted && (
          <p class="notice" role="status">
            {t("ad.token.minted", { token: "" })}
            <code class="secret">{minted}</code>
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {t("ad.token.mint")}
        </button>
      </form>
      <FormError text={revoke.errors.form} />
      {tokens.data.length === 0 ? (
        <p class="empty">{t("ad.token.empty")}</p>
      ) : (
        <div class="table-wrap">
          <table class="grid">
            <caption class="sr-only">{t("ad.tokens")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("ad.token.name")}</th>
                <th scope="col">{t("ad.token.owner")}</th>
                <th scope="col">{t("ad.token.expires")}</th>
                <th scope="col">{t("ad.token.state")}</th>
              </tr>
            </thead>
            <tbody>
              {tokens.data.map((tk) => (
                <tr key={tk.id}>
                  <th scope="row">
                    {tk.name ?? tk.id.slice(0, 8)} {tk.current && t("ad.token.current")}
                  </th>
                  <td>{owners.get(tk.userId) ?? tk.userId}</td>
                  <td>{tk.expiresAt ? formatDateTime(tk.expiresAt) : t("ad.token.never")}</td>
                  <td>
                    {stateOf(tk)}{" "}
                    {tk.valid && !tk.revokedAt && (
                      <button
                        type="button"
                        disabled={revoke.busy}
                        onClick={() =>
                          void revoke.run(async () => {
                            await api("DELETE", `/tokens/${encodeURIComponent(tk.id)}`);
                            await tokens.reload();
                          })
                        }
                      >
                        {t("ad.token.revoke", { name: tk.name ?? tk.id.slice(0, 8) })}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
