import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { z } from "zod";
import type { Clock } from "../content/ports/clock.js";
import type { CampaignQueue } from "../content/ports/sms.js";

/** Each gateway channel has its own queue, so one slow operator never holds back another. */
export const smsQueueName = (channelId: string) => `sms-${channelId}`;

/** A batch of a campaign: recipients `from`..`to` (their `seq`); the database holds the rest. */
export const SmsBatchJob = z.strictObject({ campaignId: z.uuid(), from: z.number().int(), to: z.number().int() });
export type SmsBatchJob = z.infer<typeof SmsBatchJob>;

export interface BullCampaignQueue extends CampaignQueue {
  /** Called with each channel a batch is added for (the worker manager starts its worker in this process). */
  onChannel?: (channelId: string) => void;
  close(): Promise<void>;
}

export function createCampaignQueue(connection: Redis, prefix: string, clock: Clock): BullCampaignQueue {
  const queues = new Map<string, Queue>();
  const queueOf = (channelId: string) => {
    let q = queues.get(channelId);
    if (!q) {
      q = new Queue(smsQueueName(channelId), { connection, prefix });
      q.on("error", () => undefined);
      queues.set(channelId, q);
    }
    return q;
  };
  const self: BullCampaignQueue = {
    async add(jobs) {
      const now = clock.now().getTime();
      const byChannel = new Map<string, typeof jobs>();
      for (const j of jobs) byChannel.set(j.channelId, [...(byChannel.get(j.channelId) ?? []), j]);
      for (const [channelId, list] of byChannel) {
        self.onChannel?.(channelId);
        await queueOf(channelId).addBulk(
          list.map((j) => ({
            name: "batch",
            data: SmsBatchJob.parse({ campaignId: j.campaignId, from: j.from, to: j.to }),
            opts: {
              // One job per batch: adding it again (a resume, the clock's re-queue) is a no-op.
              jobId: `campaign-${j.campaignId}-${j.from}`,
              delay: Math.max(0, j.runAt.getTime() - now),
              attempts: 5,
              backoff: { type: "exponential", delay: 2_000 },
              removeOnComplete: true,
              removeOnFail: true,
            },
          })),
        );
      }
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
    },
  };
  return self;
}
