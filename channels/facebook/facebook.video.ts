import type { Readable } from "node:stream";
import { z } from "zod";
import { AppError } from "../../content/errors.js";
import type { MediaVariant } from "../../content/media/model.js";
import type { AdapterContext } from "../../content/ports/adapter.js";
import { beforePublishing, unreadableMedia } from "../http.js";
import type { Graph } from "./facebook.graph.js";

/**
 * Reads the byte ranges Graph asks for, in order, from one pass over the stored file (the whole video
 * is never held in memory); a range before the current position reopens the file.
 */
export class ChunkReader {
  #stream: Readable | undefined;
  #iterator: AsyncIterator<Buffer> | undefined;
  #offset = 0;
  #buffer = Buffer.alloc(0);

  constructor(
    private readonly key: string,
    private readonly open: () => Promise<Readable>,
  ) {}

  async read(start: number, end: number): Promise<Buffer> {
    try {
      return await this.#read(start, end);
    } catch (err) {
      throw unreadableMedia(this.key, err);
    }
  }

  async #read(start: number, end: number): Promise<Buffer> {
    if (!this.#iterator || start < this.#offset) await this.#reopen();
    this.#drop(start);
    while (this.#offset + this.#buffer.length < end) {
      const next = await this.#iterator?.next();
      if (!next || next.done) break;
      this.#buffer = Buffer.concat([this.#buffer, next.value]);
      this.#drop(start);
    }
    if (this.#offset !== start || this.#buffer.length < end - start) {
      throw new AppError("channel_rejected", `the stored video is shorter than the ${end} bytes Facebook asked for`);
    }
    return this.#buffer.subarray(0, end - start);
  }

  close(): void {
    this.#stream?.destroy();
    this.#stream = undefined;
    this.#iterator = undefined;
  }

  async #reopen() {
    this.close();
    this.#stream = await this.open();
    this.#iterator = this.#stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    this.#offset = 0;
    this.#buffer = Buffer.alloc(0);
  }

  #drop(start: number) {
    const n = Math.min(Math.max(0, start - this.#offset), this.#buffer.length);
    this.#buffer = this.#buffer.subarray(n);
    this.#offset += n;
  }
}

const Offsets = z.object({ start_offset: z.coerce.number().int().min(0), end_offset: z.coerce.number().int().min(0) });
const Started = Offsets.extend({
  video_id: z.union([z.string(), z.number()]).transform(String),
  upload_session_id: z.union([z.string(), z.number()]).transform(String),
});
const Finished = z.object({ success: z.literal(true) });
/** Graph stops a session that goes on sending without progress; more transfers than this means it is not progressing. */
const MAX_TRANSFERS = 100_000;

export interface VideoPost {
  pageId: string;
  videoBase: string;
  variant: MediaVariant;
  title: string;
  description: string;
}

/**
 * Publishes a Page video by Graph's resumable protocol on `graph-video.facebook.com`: `start` (file
 * size) answers a session and the first byte range; each `transfer` sends the range asked for and
 * answers the next, until both offsets reach the size; `finish` publishes with title and description.
 * Only `finish` publishes: a failure or timeout before it is safe to retry. Answers the video's id.
 */
export async function uploadVideo(graph: Graph, ctx: AdapterContext, v: VideoPost, signal: AbortSignal): Promise<string> {
  const path = `${v.pageId}/videos`;
  const key = v.variant.key;
  // The size Graph is told comes from the stored file itself, which is then read from this first stream.
  const file = await ctx.readMedia(key).catch((err: unknown) => {
    throw unreadableMedia(key, err);
  });
  let first: Readable | undefined = file.stream;
  const reader = new ChunkReader(key, async () => {
    const stream = first ?? (await ctx.readMedia(key)).stream;
    first = undefined;
    return stream;
  });
  try {
    const session = await beforePublishing(
      (async () => {
        const start = await graph.post(
          v.videoBase,
          path,
          new URLSearchParams({ upload_phase: "start", file_size: String(file.bytes) }),
          Started,
          signal,
        );
        let range: z.infer<typeof Offsets> = start;
        for (let n = 0; range.start_offset < range.end_offset; n++) {
          if (n >= MAX_TRANSFERS || range.end_offset > file.bytes) {
            throw new AppError(
              "channel_unavailable",
              `Facebook asked for bytes ${range.start_offset}–${range.end_offset} of a ${file.bytes}-byte video`,
            );
          }
          const form = new FormData();
          form.set("upload_phase", "transfer");
          form.set("upload_session_id", start.upload_session_id);
          form.set("start_offset", String(range.start_offset));
          const chunk = await reader.read(range.start_offset, range.end_offset);
          form.set("video_file_chunk", new Blob([chunk], { type: "application/octet-stream" }), v.variant.name);
          range = await graph.post(v.videoBase, path, form, Offsets, signal);
        }
        return start;
      })(),
    );
    const finish = new URLSearchParams({
      upload_phase: "finish",
      upload_session_id: session.upload_session_id,
      title: v.title,
      description: v.description,
      published: "true",
    });
    await graph.post(v.videoBase, path, finish, Finished, signal);
    return session.video_id;
  } finally {
    first?.destroy();
    reader.close();
  }
}
