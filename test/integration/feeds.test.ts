import { DomUtils, parseDocument } from "htmlparser2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENCY, createItem, schedule, settled, webhookChannel } from "../helpers/fixtures.js";
import { startHub, type TestHub } from "../helpers/hub.js";
import { WebhookStub } from "../stubs/webhook.stub.js";

const TITLE = 'Tin <script>alert("title")</script> nóng';
const BODY = 'Đoạn đầu <img src=x onerror=alert(1)> vẫn đọc được.\n\n<script>alert("xss")</script> Đoạn hai & hết.';

/** The elements of an HTML fragment, and its text as a reader shows it. */
function html(fragment: string) {
  const doc = parseDocument(fragment);
  const elements = DomUtils.findAll(() => true, doc.children);
  return {
    tags: [...new Set(elements.map((e) => e.name))].sort(),
    handlers: elements.flatMap((e) => Object.keys(e.attribs).filter((a) => a.startsWith("on"))),
    hrefs: elements.flatMap((e) => (e.attribs.href ? [e.attribs.href] : [])),
    text: DomUtils.textContent(doc),
  };
}

/** Every field of an XML feed that readers render as HTML, as the XML parser gives it. */
function xmlFields(xml: string, names: string[]): string[] {
  const doc = parseDocument(xml, { xmlMode: true });
  return names.flatMap((n) => DomUtils.getElementsByTagName(n, doc).map((el) => DomUtils.textContent(el)));
}

/** Stored XSS through the public feeds: an item body with markup comes out as text in every format. */
describe("public feeds carry no raw HTML", () => {
  let hub: TestHub;
  let stub: WebhookStub;
  let entryTitle: string;

  beforeAll(async () => {
    stub = await new WebhookStub("khoa-bi-mat-feed").start();
    hub = await startHub("sqlite", { allow: [stub.url] });
    const channelId = await webhookChannel(hub.api, stub);
    const item = await createItem(hub.api, { title: TITLE, body: BODY });
    entryTitle = item.title;
    await settled(hub.api, await schedule(hub.api, item.id, channelId), ["published"]);
  });
  afterAll(async () => {
    await hub?.stop();
    await stub?.stop();
  });

  const expectEscaped = (fragment: string, allowed: string[]) => {
    const h = html(fragment);
    expect(h.tags.filter((t) => !allowed.includes(t))).toEqual([]);
    expect(h.handlers).toEqual([]);
    for (const href of h.hrefs) expect(href).toMatch(/^https?:\/\//);
    return h.text;
  };

  it("RSS: description, content:encoded and title are the text, escaped", async () => {
    const xml = await (await fetch(`${hub.url}/feeds/${AGENCY}.rss`)).text();
    const [content] = xmlFields(xml, ["content:encoded"]);
    const text = expectEscaped(content ?? "", ["p", "a", "em"]);
    expect(text).toContain("Đoạn đầu <img src=x onerror=alert(1)> vẫn đọc được.");
    expect(text).toContain('<script>alert("xss")</script> Đoạn hai & hết.');
    expect(html(content ?? "").tags).toContain("p");
    for (const field of xmlFields(xml, ["description", "title"])) expectEscaped(field, []);
    expect(xmlFields(xml, ["title"]).map((t) => html(t).text)).toContain(entryTitle);
  });

  it("Atom: content, summary and title (all type html) are the text, escaped", async () => {
    const xml = await (await fetch(`${hub.url}/feeds/${AGENCY}.atom`)).text();
    const [content] = xmlFields(xml, ["content"]);
    expect(expectEscaped(content ?? "", ["p", "a", "em"])).toContain("<img src=x onerror=alert(1)>");
    for (const field of xmlFields(xml, ["summary", "title"])) expectEscaped(field, []);
    expect(
      xmlFields(xml, ["summary"])
        .map((s) => html(s).text)
        .join(" "),
    ).toContain("<script>");
  });

  it("JSON Feed: content_html is the text, escaped; title and summary stay plain text", async () => {
    const feed = (await (await fetch(`${hub.url}/feeds/${AGENCY}.json`)).json()) as {
      items: { title: string; summary: string; content_html: string }[];
    };
    const item = feed.items.find((i) => i.title === entryTitle);
    expect(item).toBeDefined();
    const text = expectEscaped(item?.content_html ?? "", ["p", "a", "em"]);
    expect(text).toContain("Đoạn đầu <img src=x onerror=alert(1)> vẫn đọc được.");
    expect(item?.summary).toContain('<script>alert("xss")</script> Đoạn hai');
  });
});
