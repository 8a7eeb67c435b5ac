import { DelayedError, type Job, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Log } from "../content/ports/log.js";
import type { Publisher } from "../content/publishing/publisher.js";
import { PUBLISH_QUEUE, PublishJob } from "./publish.queue.js";

/** Runs publish jobs: one use case per job; "later" outcomes put the job back into the delayed set. */
export function startPublishWorker(
  connection: Redis,
  prefix: string,
  publisher: Publisher,
  concurrency: number,
  log: Log,
  /** BullMQ's job lock and stalled check follow the claim lease, so a dead worker's jobs run again as soon as its claims expire. */
  lockMs?: number,
): Worker {
  const worker = new Worker(
    PUBLISH_QUEUE,
    async (job: Job, token?: string) => {
      const data = PublishJob.safeParse(job.data);
      if (!data.success) {
        log.error({ jobId: job.id, data: job.data }, "dropping a publish job with a malformed payload");
        return "malformed";
      }
      const outcome = await publisher.run(data.data.deliveryId);
      if (outcome.next === "later") {
        await job.moveToDelayed(outcome.at.getTime(), token);
        throw new DelayedError();
      }
      return outcome.status;
    },
    { connection, prefix, concurrency, autorun: true, ...(lockMs ? { lockDuration: lockMs, stalledInterval: lockMs } : {}) },
  );
  worker.on("error", (err) => log.error({ err }, "publish worker error"));
  worker.on("failed", (job, err) =>
    log.warn(
      { jobId: job?.id, deliveryId: (job?.data as Partial<PublishJob> | undefined)?.deliveryId, err: err.message },
      "publish job failed",
    ),
  );
  return worker;
}
