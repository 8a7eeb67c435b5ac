import crypto from "node:crypto";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliveryMark } from "../../channels/wordpress.adapter.js";
import type { ChannelAdapter, PublishRequest } from "../../content/ports/adapter.js";
import { type ContractCase, request } from "../contract/contract.js";
import { imageMedia, JPEG } from "../contract/media.fixture.js";
import { stubRegistry } from "../helpers/endpoints.js";
import { WordpressStub } from "../stubs/wordpress.stub.js";

const ctx = {
  readMedia: async () => ({ stream: Readable.from([JPEG]), bytes: JPEG.length }),
  saveSecret: async () => {},
  now: () => new Date(),
};
const req = (itemKind: PublishRequest["item"]["kind"], extra: Partial<PublishRequest> = {}, id: string = crypto.randomUUID()) =>
  request({ kind: "wordpress", itemKind, request: extra } as ContractCase, id);

describe("the WordPress adapter", () => {
  let stub: WordpressStub;
  const build = (settings: Record<string, unknown> = {}, secret?: string): ChannelAdapter =>
    stubRegistry({}, [stub.url]).build("wordpress", { siteUrl: stub.url, ...settings }, secret ?? stub.secret, ctx).adapter;

  beforeAll(async () => {
    stub = await new WordpressStub().start();
    stub.terms.categories.push({ id: 7, name: "Tin tức & Sự kiện", slug: "tin-tuc-su-kien" });
  });
  afterAll(async () => {
    await stub?.stop();
  });

  it("files the post under categories and tags by name: found (case and escaping aside) or created once", async () => {
    const adapter = build({ categories: ["tin tức & sự kiện", "Chuyển đổi số"], tags: ["Dịch vụ công"] });
    const first = await adapter.publish(req("news"), AbortSignal.timeout(5_000));
    const second = await adapter.publish(req("news"), AbortSignal.timeout(5_000));
    const created = stub.terms.categories.find((t) => t.name === "Chuyển đổi số");
    expect(stub.terms.categories.filter((t) => t.name === "Chuyển đổi số")).toHaveLength(1);
    const tagIds = ["Dịch vụ công", "DichVuCongTrucTuyen"].map((n) => stub.terms.tags.find((t) => t.name === n)?.id);
    for (const result of [first, second]) {
      const post = stub.posts.find((p) => String(p.id) === result.externalId);
      expect(post?.categories).toEqual([7, created?.id]);
      expect(post?.tags).toEqual(tagIds);
    }
  });

  it("uploads an infographic whole, shows it in the content and as the featured image, and marks the post", async () => {
    const r = req("infographic", { media: [imageMedia("info-1")] });
    const result = await build().publish(r, AbortSignal.timeout(5_000));
    const post = stub.posts.find((p) => String(p.id) === result.externalId);
    const media = stub.media.at(-1);
    expect(media).toMatchObject({ filename: "loa-original.jpg", mime: "image/jpeg", alt_text: r.text.title, title: r.text.title });
    expect(media?.bytes.equals(JPEG)).toBe(true);
    expect(post?.featured_media).toBe(media?.id);
    expect(post?.content).toMatch(new RegExp(`^<figure class="wp-block-image size-full"><img src="${media?.source_url}"`));
    expect(post?.content).toContain(r.text.html);
    expect(post?.content).toContain(`<!-- ${deliveryMark(r.deliveryId)} -->`);
    expect(post).toMatchObject({ title: r.text.title, excerpt: r.text.summary, status: "publish" });
    expect(result.url).toBe(post?.link);
  });

  it("finds the post an earlier attempt created instead of posting the delivery twice", async () => {
    const id = crypto.randomUUID();
    const adapter = build();
    const first = await adapter.publish(req("news", {}, id), AbortSignal.timeout(5_000));
    const again = await adapter.publish(req("news", {}, id), AbortSignal.timeout(5_000));
    expect(again).toEqual(first);
    expect(stub.posts.filter((p) => p.content.includes(deliveryMark(id)))).toHaveLength(1);
  });

  it("finds drafts too, and posts in the configured status", async () => {
    const r = req("news");
    const adapter = build({ status: "draft" });
    const result = await adapter.publish(r, AbortSignal.timeout(5_000));
    expect(stub.posts.find((p) => String(p.id) === result.externalId)?.status).toBe("draft");
    expect(await adapter.lookup?.(r.deliveryId, AbortSignal.timeout(5_000))).toEqual(result);
  });

  it("calls a refused application password auth_expired and a refused file channel_rejected", async () => {
    const wrong = build({}, `${stub.user}:wrong pass word`);
    await expect(wrong.publish(req("news"), AbortSignal.timeout(5_000))).rejects.toMatchObject({
      code: "auth_expired",
      message: expect.stringContaining("invalid application password"),
    });
    stub.script(
      {
        status: 500,
        body: {
          code: "rest_upload_sideload_error",
          message: "Sorry, you are not allowed to upload this file type.",
          data: { status: 500 },
        },
      },
      "media",
    );
    await expect(build().publish(req("infographic", { media: [imageMedia("i2")] }), AbortSignal.timeout(5_000))).rejects.toMatchObject({
      code: "channel_rejected",
      message: expect.stringContaining("not allowed to upload this file type"),
    });
  });

  it("calls a hang during the upload retryable: nothing was published", async () => {
    const before = stub.posts.length;
    stub.script({ hang: true }, "media");
    await expect(build().publish(req("infographic", { media: [imageMedia("i3")] }), AbortSignal.timeout(500))).rejects.toMatchObject({
      code: "channel_unavailable",
    });
    expect(stub.posts).toHaveLength(before);
  });

  it("lists problems in Vietnamese and English before scheduling", () => {
    const untitled = req("news");
    untitled.text.title = " ";
    expect(
      build()
        .check(untitled)
        .map((p) => p.vi),
    ).toEqual(["Tin bài chưa có tiêu đề"]);
    expect(
      build()
        .check(req("infographic"))
        .map((p) => p.en),
    ).toEqual([expect.stringContaining("needs a processed image")]);
    expect(build().check(req("infographic", { mediaPending: true }))).toEqual([]);
  });
});
