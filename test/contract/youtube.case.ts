import type { PublishMedia } from "../../content/media/model.js";
import { YOUTUBE_FAILURE_MESSAGES, YouTubeStub } from "../stubs/youtube.stub.js";
import type { ContractCase } from "./contract.js";

/** Enough of an MP4 for the stub (the `ftyp` box), spread over a few resumable chunks when chunks are small. */
export const mp4 = (bytes = 1024) => {
  const b = Buffer.alloc(bytes, 7);
  b.write("\0\0\0\x20ftypisom", 0, "latin1");
  return b;
};
export const THUMB = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(32), Buffer.from([0xff, 0xd9])]);

/** A video as the media worker leaves it: `youtube1080`, `web720` and the JPEG thumbnail. */
export const video = (id = "v1", bytes = 1024, durationMs = 60_000): PublishMedia => {
  const v = (name: string, profile: string, mime: string, size: number) => ({
    name,
    profile,
    mime,
    bytes: size,
    width: 1920,
    height: 1080,
    durationMs: mime.startsWith("video/") ? durationMs : null,
    key: `${id}/${name}`,
    url: `/api/media/${id}/variants/${name}`,
  });
  return {
    id,
    kind: "video",
    mime: "video/quicktime",
    name: "clip.mov",
    probe: { format: "mov", width: 1920, height: 1080, durationMs },
    variants: [
      v("youtube1080.mp4", "youtube1080", "video/mp4", bytes),
      v("web720.mp4", "web720", "video/mp4", bytes),
      v("thumb.jpg", "thumb", "image/jpeg", THUMB.length),
    ],
  };
};

export const youtubeCase: ContractCase = {
  kind: "youtube",
  itemKind: "video",
  failures: ["expired_token", "rate_limited", "server_error", "rejected", "hang"],
  messages: YOUTUBE_FAILURE_MESSAGES,
  lookup: true,
  request: { media: [video()] },
  files: { "v1/youtube1080.mp4": mp4(), "v1/web720.mp4": mp4(), "v1/thumb.jpg": THUMB },
  async start() {
    const stub = await new YouTubeStub().start();
    const secret = {
      refreshToken: stub.refreshToken,
      accessToken: stub.issue(),
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    };
    return {
      origin: stub.url,
      providers: { youtube: stub.url },
      settings: {},
      secret: JSON.stringify(secret),
      fail: (f) => stub.fail(f),
      created: () => stub.videos.map((v) => v.id),
      stop: () => stub.stop(),
    };
  },
};
