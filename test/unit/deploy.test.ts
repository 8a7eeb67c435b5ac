// The example deployment files (deploy/) agree with the Procfile and the configuration: the same
// three processes and commands, only variables Loa reads, Redis persisted, and a parseable config.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { EnvSchema, loadConfig } from "../../content/config.js";
import { ROOT } from "../helpers/imports.js";

const read = (f: string) => fs.readFileSync(path.join(ROOT, f), "utf8");
const procfile = Object.fromEntries(
  read("Procfile")
    .split("\n")
    .filter((l) => /^\w+:/.test(l))
    .map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1).trim()]),
);
const known = new Set(Object.keys(EnvSchema.shape));

type Service = { command?: string[]; environment?: Record<string, string>; image?: string; depends_on?: Record<string, unknown> };

describe("deploy/docker-compose.yml", () => {
  const compose = parse(read("deploy/docker-compose.yml"), { merge: true }) as { services: Record<string, Service> };
  const loa = ["web", "worker", "clock"];

  it("runs each Procfile process with the Procfile's command", () => {
    expect(Object.keys(procfile).sort()).toEqual([...loa].sort());
    for (const name of loa) expect(compose.services[name]?.command?.join(" "), name).toBe(procfile[name]);
  });

  it("sets only variables Loa reads, and a configuration that loads", () => {
    for (const name of loa) {
      const env = compose.services[name]?.environment ?? {};
      expect(
        Object.keys(env).filter((k) => !known.has(k)),
        name,
      ).toEqual([]);
      const resolved = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v).replace(/^\$\{[^}]+\}$/, "")]));
      const config = loadConfig({ ...resolved, LOA_ADMIN_TOKEN: "deploy-test-cdL1zqd6QSMwApllkicl-yeB2e" });
      expect(config.database.kind, name).toBe("postgres");
    }
  });

  it("has PostgreSQL and Redis, Redis with appendonly yes, and starts Loa only once both are healthy", () => {
    expect(compose.services.postgres?.image).toMatch(/^postgres:/);
    const redis = compose.services.redis;
    expect(redis?.image).toMatch(/^redis:/);
    expect(redis?.command?.join(" ")).toContain("--appendonly yes");
    for (const name of loa)
      expect(compose.services[name]?.depends_on, name).toEqual({
        postgres: { condition: "service_healthy" },
        redis: { condition: "service_healthy" },
      });
  });

  it("keeps the secret key out of the data volume", () => {
    for (const name of loa) {
      const env = compose.services[name]?.environment ?? {};
      expect(env.LOA_SECRET_KEY_FILE).toBe("/run/secrets/loa_secret_key");
      expect(env.DATA_DIR).toBe("/data");
    }
  });
});

describe("deploy/systemd", () => {
  const units = { web: "loa-web.service", worker: "loa-worker@.service", clock: "loa-clock.service" } as const;
  const directives = (text: string, key: string) =>
    text
      .split("\n")
      .filter((l) => l.startsWith(`${key}=`))
      .map((l) => l.slice(key.length + 1));

  it("runs each Procfile process with the Procfile's command", () => {
    for (const [name, file] of Object.entries(units)) {
      const unit = read(`deploy/systemd/${file}`);
      expect(directives(unit, "ExecStart"), file).toEqual([procfile[name]?.replace(/^node /, "/usr/bin/node ")]);
      expect(directives(unit, "EnvironmentFile"), file).toEqual(["/etc/loa/loa.env"]);
      const extra = directives(unit, "Environment").map((e) => e.slice(0, e.indexOf("=")));
      expect(
        extra.filter((k) => !known.has(k)),
        file,
      ).toEqual([]);
    }
  });

  it("has an environment file of variables Loa reads, with the key in a file of its own", () => {
    const env = Object.fromEntries(
      read("deploy/systemd/loa.env.example")
        .split("\n")
        .filter((l) => /^[A-Z]/.test(l))
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
    expect(Object.keys(env).filter((k) => !known.has(k))).toEqual([]);
    expect(env.LOA_SECRET_KEY_FILE?.startsWith(env.DATA_DIR ?? "/")).toBe(false);
    expect(loadConfig({ ...env, LOA_ADMIN_TOKEN: "deploy-test-cdL1zqd6QSMwApllkicl-yeB2e" }).database.kind).toBe("postgres");
  });
});
