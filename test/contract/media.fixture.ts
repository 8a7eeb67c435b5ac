import type { PublishMedia } from "../../content/media/model.js";

/** The smallest file every stub takes for a JPEG: the SOI marker, a JFIF header, and the EOI marker. */
export const JPEG = Buffer.concat([
  Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
  Buffer.from("JFIF\0"),
  Buffer.alloc(2048, 7),
  Buffer.from([0xff, 0xd9]),
]);

/** A processed image as the media pipeline leaves it: JPEG and WebP per profile, each under its store key. */
export function imageMedia(id: string, profiles = ["feed", "square", "thumb", "original"]): PublishMedia {
  return {
    id,
    kind: "image",
    mime: "image/jpeg",
    name: "infographic.jpg",
    probe: { format: "jpeg", width: 2048, height: 2900 },
    variants: profiles.flatMap((profile) =>
      (["jpg", "webp"] as const).map((ext) => ({
        name: `${profile}.${ext}`,
        profile,
        mime: ext === "jpg" ? "image/jpeg" : "image/webp",
        bytes: JPEG.length,
        width: 1200,
        height: 630,
        durationMs: null,
        url: `/api/media/${id}/variants/${profile}.${ext}`,
        key: `${id}/${profile}.${ext}`,
      })),
    ),
  };
}

/** In-memory files for the contract's `readMedia`, one per variant key. */
export const filesOf = (...media: PublishMedia[]): Record<string, Buffer> =>
  Object.fromEntries(media.flatMap((m) => m.variants.map((v) => [v.key, JPEG] as const)));
