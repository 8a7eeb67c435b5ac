import { useState } from "preact/hooks";
import { api } from "../../api.js";
import { formatDateTime, t } from "../../i18n.js";
import type { MessageKey } from "../../messages.js";
import type { Role } from "../../routes.js";
import { Field, FieldFrame, FormEnd, FormError, useFields, useForm } from "../../ui.js";
import type { Agency } from "./agencies.js";
import { AgencyOptions, agencyNamer, DataTable, Loading, Options, SelectField, useList } from "./common.js";

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
  const [done, setDone] = useState(false);
  const { form, set, field, errors, busy, run } = useFields({ password: "", login: user.login ?? "" });
  const submit = (e: Event) => {
    e.preventDefault();
    setDone(false);
    void run(async () => {
      const { password, login } = form;
      await api("PUT", `/users/${encodeURIComponent(user.id)}/password`, { password, ...(user.login ? {} : { login }) });
      set("password")("");
      setDone(true);
      onDone();
    });
  };
  return (
    <form class="inline-form" onSubmit={submit} noValidate aria-label={t("ad.user.resetFor", { name: user.name })}>
      {!user.login && <Field {...field("login")} id={`r-login-${user.id}`} label={t("ad.user.login")} />}
      <Field
        {...field("password")}
        id={`r-password-${user.id}`}
        type="password"
        autoComplete="new-password"
        label={t("ad.user.newPassword", { name: user.name })}
      />
      <FormEnd
        error={errors.form}
        notice={done && t("ad.user.resetDone", { name: user.name })}
        busy={busy}
        submit={t("ad.user.reset")}
        primary={false}
      />
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
  const [stationIds, setStationIds] = useState<string[]>([]);
  const [created, setCreated] = useState<string | undefined>();
  const { form, setForm, field, select, errors, busy, run } = useFields(
    { name: "", login: "", password: "", role: "officer", agencyId: "", email: "" },
    ["stationIds"],
  );
  const agencyName = agencyNamer(agencies);
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
          <Field {...field("name")} label={t("ad.user.name")} />
          <Field {...field("login")} label={t("ad.user.login")} hint={t("ad.user.loginHint")} autoComplete="off" autoCapitalize="none" />
          <Field {...field("password")} type="password" autoComplete="new-password" label={t("ad.user.password")} />
          <SelectField {...select("role")} label={t("ad.user.role")}>
            <Options values={ROLES} label={roleLabel} />
          </SelectField>
          <SelectField {...select("agencyId")} label={t("ad.user.agency")}>
            <AgencyOptions agencies={agencies} none={t("ad.user.noAgency")} />
          </SelectField>
          <Field {...field("email")} type="email" label={t("ad.user.email")} />
          {form.role === "broadcaster" && (
            <FieldFrame id="f-stationIds" label={t("ad.user.stations")} hint={t("ad.user.stationsHint")} error={errors.fields.stationIds}>
              {(aria) => (
                <select
                  id="f-stationIds"
                  multiple
                  size={Math.min(6, Math.max(2, agencyStations.length))}
                  {...aria}
                  onChange={(e) => setStationIds([...(e.target as HTMLSelectElement).selectedOptions].map((o) => o.value))}
                >
                  {agencyStations.map((s) => (
                    <option key={s.id} value={s.id} selected={stationIds.includes(s.id)}>
                      {s.name}
                    </option>
                  ))}
                </select>
              )}
            </FieldFrame>
          )}
        </div>
        <FormEnd error={errors.form} notice={created} busy={busy} submit={t("ad.user.add")} />
      </form>
      {users.data.length <= 1 ? (
        <p class="empty">{t("ad.user.empty")}</p>
      ) : (
        <DataTable
          caption={t("ad.users")}
          columns={[t("ad.user.name"), t("ad.user.login"), t("ad.user.role"), t("ad.user.agency"), t("ad.user.state")]}
        >
          {users.data.map((u) => (
            <tr key={u.id}>
              <th scope="row">{u.name}</th>
              <td>{u.login ?? t("ad.none")}</td>
              <td>{roleLabel(u.role)}</td>
              <td>{agencyName(u.agencyId, t("ad.none"))}</td>
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
        </DataTable>
      )}
    </>
  );
}

/** API tokens: everyone's (never their value), revoking one, minting one for oneself (shown once). */
export function TokensSection() {
  const tokens = useList<Token>("/tokens");
  const users = useList<User>("/users");
  const [minted, setMinted] = useState<string | undefined>();
  const { form, setForm, field, errors, busy, run } = useFields({ name: "", expiresIn: "" });
  const revoke = useForm([]);
  const owners = new Map((users.data ?? []).map((u) => [u.id, u.name]));
  const submit = (e: Event) => {
    e.preventDefault();
    setMinted(undefined);
    void run(async () => {
      const { name, expiresIn } = form;
      const r = await api<{ token: string }>("POST", "/tokens", { ...(name ? { name } : {}), ...(expiresIn ? { expiresIn } : {}) });
      setMinted(r.token);
      setForm({ name: "", expiresIn: "" });
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
          <Field {...field("name")} id="f-token-name" label={t("ad.token.name")} />
          <Field {...field("expiresIn")} label={t("ad.token.expiresIn")} hint={t("ad.token.expiresInHint")} />
        </div>
        <FormEnd
          error={errors.form}
          notice={
            minted && (
              <>
                {t("ad.token.minted", { token: "" })}
                <code class="secret">{minted}</code>
              </>
            )
          }
          busy={busy}
          submit={t("ad.token.mint")}
        />
      </form>
      <FormError text={revoke.errors.form} />
      {tokens.data.length === 0 ? (
        <p class="empty">{t("ad.token.empty")}</p>
      ) : (
        <DataTable caption={t("ad.tokens")} columns={[t("ad.token.name"), t("ad.token.owner"), t("ad.token.expires"), t("ad.token.state")]}>
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
        </DataTable>
      )}
    </>
  );
}
