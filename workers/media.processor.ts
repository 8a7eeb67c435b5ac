import { type Job, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { MediaProcessor } from "../content/media/processor.js";
import type { Log } from "../content/ports/log.js";
import { type Metrics, noMetrics } from "../content/ports/metrics.js";
import type { MediaQueue } from "../content/ports/queues.js";
import { MEDIA_QUEUE, MediaJob } from "./media.queue.js";

/** Work files untouched this long belong to a process that died (an upload or a transcode rewrites its file continuously). */
const STALE_WORK_MS = 6 * 3_600_000;

const REQUEUE_MS = 60_000;

/**
 * Runs media jobs with their own concurrency (ffmpeg and sharp use every core: keep it low). At start
 * and every minute it re-adds the jobs of media still `processing` (an upload made while Redis was
 * down, or a job Redis lost); adding a job that exists is a no-op, and a stray one finds the media
 * no longer processing and skips it. `close()` on the answer stops the timer and the worker.
 */
export async function startMediaWorker(
  connection: Redis,
  prefix: string,
  processor: MediaProcessor,
  queue: MediaQueue,
  concurrency: number,
  log: Log,
  metrics: Metrics = noMetrics,
): Promise<{ close(): Promise<void> }> {
  const worker = new Worker(
    MEDIA_QUEUE,
    async (job: Job) => {
      const data = MediaJob.safeParse(job.data);
      if (!data.success) {
        log.error({ jobId: job.id, data: job.data }, "dropping a media job with a malformed payload");
        return "malformed";
      }
      const start = performance.now();
      let outcome: Awaited<ReturnType<MediaProcessor["process"]>> | "error" = "error";
      try {
        outcome = await processor.process(data.data.mediaId);
      } finally {
        metrics.mediaJob({ outcome: String(outcome), durationMs: performance.now() - start });
      }
      log.info({ mediaId: data.data.mediaId, outcome }, "media processed");
      return outcome;
    },
    // A 2 GB transcode runs for a long time: the lock is renewed by the worker, and a stalled job is retried once.
    { connection, prefix, concurrency, autorun: true, lockDuration: 60_000, maxStalledCount: 1 },
  );
  worker.on("error", (err) => log.error({ err }, "media worker error"));
  worker.on("failed", (job, err) => log.warn({ jobId: job?.id, err: err.message }, "media job failed"));
  // Other processes may be uploading into the same directory: only what is clearly abandoned goes.
  await processor.sweep(STALE_WORK_MS);
  const requeue = async () => {
    try {
      for (const id of await processor.pending()) await queue.add(id);
    } catch (err) {
      log.warn({ err: (err as Error).message }, "could not re-add pending media jobs; will try again");
    }
  };
  await requeue();
  const timer = setInterval(() => void requeue(), REQUEUE_MS);
  return {
    async close() {
      clearInterval(timer);
      await worker.close();
    },
  };
}
