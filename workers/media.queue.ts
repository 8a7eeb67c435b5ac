import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { z } from "zod";
import type { MediaQueue } from "../content/ports/queues.js";

export const MEDIA_QUEUE = "media";

/** The media job carries the media's id only; the database holds the rest. */
export const MediaJob = z.strictObject({ mediaId: z.uuid() });
export type MediaJob = z.infer<typeof MediaJob>;

export const mediaJobId = (mediaId: string) => `media-${mediaId}`;

export interface BullMediaQueue extends MediaQueue {
  queue: Queue;
  close(): Promise<void>;
}

export function createMediaQueue(connection: Redis, prefix: string): BullMediaQueue {
  const queue = new Queue(MEDIA_QUEUE, { connection, prefix });
  return {
    queue,
    async add(mediaId) {
      await queue.add("process", MediaJob.parse({ mediaId }), {
        jobId: mediaJobId(mediaId),
        // Infrastructure errors only (database briefly down); a file that cannot be processed is marked failed, not retried.
        attempts: 3,
        backoff: { type: "exponential", delay: 5_000 },
        removeOnComplete: true,
        removeOnFail: true,
      });
    },
    async remove(mediaId) {
      await queue.remove(mediaJobId(mediaId));
    },
    close: () => queue.close(),
  };
}
