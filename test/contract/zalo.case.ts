import type { PublishMedia } from "../../content/media/model.js";
import { ZALO_FAILURE_MESSAGES, ZaloStub } from "../stubs/zalo.stub.js";
import type { ContractCase } from "./contract.js";

/** A tiny JPEG: Zalo (and its stub) only takes JPEG or PNG covers. */
export const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64), Buffer.from([0xff, 0xd9])]);

/** An infographic as the media worker leaves it: the `feed` JPEG is the article's cover. */
export const infographic = (id = "m1", bytes = JPEG.length): PublishMedia => ({
  id,
  kind: "image",
  mime: "image/png",
  name: "infographic.png",
  probe: { format: "png", width: 1200, height: 1800 },
  variants: [
    {
      name: "feed.jpg",
      profile: "feed",
      mime: "image/jpeg",
      bytes,
      width: 1200,
      height: 630,
      durationMs: null,
      key: `${id}/feed.jpg`,
      url: "",
    },
    {
      name: "feed.webp",
      profile: "feed",
      mime: "image/webp",
      bytes,
      width: 1200,
      height: 630,
      durationMs: null,
      key: `${id}/feed.webp`,
      url: "",
    },
  ],
});

export const zaloCase: ContractCase = {
  kind: "zalo_oa",
  itemKind: "infographic",
  failures: ["expired_token", "rate_limited", "server_error", "rejected", "hang"],
  messages: ZALO_FAILURE_MESSAGES,
  lookup: true,
  request: { media: [infographic()] },
  async start() {
    const stub = await new ZaloStub().start();
    stub.files.set("m1/feed.jpg", JPEG);
    const secret = stub.grant();
    return {
      origin: stub.url,
      providers: { zalo: stub.url },
      settings: { coverBaseUrl: `${stub.url}/files`, verifyIntervalMs: 20 },
      secret: JSON.stringify(secret),
      fail: (f) => stub.fail(f),
      created: () => stub.articles.map((a) => a.id),
      stop: () => stub.stop(),
    };
  },
};
