// Headless Chromium for the web app's end-to-end tests: Debian's /usr/bin/chromium driven by playwright-core.
import fs from "node:fs";
import path from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { ROOT } from "./imports.js";

export const CHROMIUM = "/usr/bin/chromium";
/** Screenshots of each page the tests open: a git-ignored folder, kept as test artifacts. */
export const ARTIFACTS = path.join(ROOT, "test", "artifacts");

/** No sandbox (containers), no GPU, no network of Chromium's own (updates, sync, QUIC probes): only the hub under test. */
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
}

/** A fresh browser profile (its own cookies) on the hub, in Vietnamese as the users' browsers are, on a phone's width if asked. */
export async function newContext(browser: Browser, baseURL: string, opts: { width?: number } = {}): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL,
    locale: "vi-VN",
    timezoneId: "Asia/Ho_Chi_Minh",
    viewport: { width: opts.width ?? 1280, height: 800 },
  });
  // Long enough for a shared two-core machine, short enough that a missing element fails the test in time.
  context.setDefaultTimeout(15_000);
  return context;
}

/** Saves a full-page screenshot as `test/artifacts/<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Signs in through the sign-in page at `/` with a user name and password. */
export async function signIn(page: Page, login: string, password: string): Promise<void> {
  await page.goto("/");
  await page.getByLabel("Tên đăng nhập").fill(login);
  await page.getByLabel("Mật khẩu").fill(password);
  await page.getByRole("button", { name: "Đăng nhập" }).click();
}

/** axe-core's WCAG 2.1 A/AA rules (contrast, labels, names, landmarks …) on the page as it is now: the violations, one line each. */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, so the page's CSP (no inline scripts) does not stop it.
  const source = fs.readFileSync(path.join(ROOT, "node_modules", "axe-core", "axe.min.js"), "utf8");
  await page.evaluate(source);
  const violations = (await page.evaluate(
    "axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }).then((r) => r.violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) })))",
  )) as { id: string; nodes: string[] }[];
  return violations.map((v) => `${v.id}: ${v.nodes.join(", ")}`);
}
