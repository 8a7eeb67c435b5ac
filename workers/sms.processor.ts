import { DelayedError, type Job, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Sending } from "../content/campaigns/sending.js";
import type { Log } from "../content/ports/log.js";
import type { Db } from "../content/store/db.js";
import { SmsBatchJob, smsQueueName } from "./sms.queue.js";

const DISCOVER_MS = 5_000;

/**
 * Runs campaign batches: one BullMQ worker per gateway channel (its own queue), started for every
 * `sms` and `zalo_zns` channel found in the database (looked for every few seconds, and at once when
 * this process adds a batch). "Later" outcomes (quiet hours, paused, gateway down) go back to the delayed set.
 */
export function startSmsWorkers(connect: () => Redis, prefix: string, db: Db, sending: Sending, concurrency: number, log: Log) {
  const workers = new Map<string, Worker>();
  let stopped = false;

  function ensure(channelId: string) {
    if (stopped || workers.has(channelId)) return;
    const worker = new Worker(
      smsQueueName(channelId),
      async (job: Job, token?: string) => {
        const data = SmsBatchJob.safeParse(job.data);
        if (!data.success) {
          log.error({ jobId: job.id }, "dropping a campaign job with a malformed payload");
          return "malformed";
        }
        const outcome = await sending.runBatch(data.data);
        if (outcome.next === "later") {
          await job.moveToDelayed(outcome.at.getTime(), token);
          throw new DelayedError();
        }
        return outcome.status;
      },
      { connection: connect(), prefix, concurrency, autorun: true },
    );
    worker.on("error", (err) => log.error({ err, channelId }, "campaign worker error"));
    worker.on("failed", (job, err) => log.warn({ jobId: job?.id, err: err.message }, "campaign job failed"));
    workers.set(channelId, worker);
  }

  async function discover() {
    try {
      const rows = await db.selectFrom("channels").select("id").where("kind", "in", ["sms", "zalo_zns"]).execute();
      for (const r of rows) ensure(r.id);
    } catch (err) {
      log.warn({ err }, "could not list the campaign channels; trying again");
    }
  }
  void discover();
  const timer = setInterval(() => void discover(), DISCOVER_MS);
  timer.unref();
  return {
    ensure,
    async close() {
      stopped = true;
      clearInterval(timer);
      await Promise.all([...workers.values()].map((w) => w.close()));
    },
  };
}
