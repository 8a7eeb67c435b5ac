import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { z } from "zod";
import type { Clock } from "../content/ports/clock.js";
import type { DeliveryQueue } from "../content/ports/queues.js";

export const PUBLISH_QUEUE = "publish";

/** The publish job carries the delivery's id only; the database holds the rest. */
export const PublishJob = z.strictObject({ deliveryId: z.uuid() });
export type PublishJob = z.infer<typeof PublishJob>;

/** One job per delivery, so that adding it twice is a no-op. */
export const jobId = (deliveryId: string) => `delivery-${deliveryId}`;

export interface BullDeliveryQueue extends DeliveryQueue {
  queue: Queue;
  close(): Promise<void>;
}

export function createDeliveryQueue(connection: Redis, prefix: string, clock: Clock): BullDeliveryQueue {
  const queue = new Queue(PUBLISH_QUEUE, { connection, prefix });
  return {
    queue,
    async add(jobs) {
      const now = clock.now().getTime();
      for (let i = 0; i < jobs.length; i += 1000) {
        await queue.addBulk(
          jobs.slice(i, i + 1000).map((j) => ({
            name: "publish",
            data: PublishJob.parse({ deliveryId: j.deliveryId }),
            opts: {
              jobId: jobId(j.deliveryId),
              delay: Math.max(0, j.runAt.getTime() - now),
              // Publishing retries are decided by the publisher and recorded in the database; BullMQ's
              // own attempts only cover infrastructure errors (database briefly down).
              attempts: 5,
              backoff: { type: "exponential", delay: 2_000 },
              // Finished jobs go, so that the reconciler can add a delivery's job again when needed.
              removeOnComplete: true,
              removeOnFail: true,
            },
          })),
        );
      }
    },
    async remove(deliveryId) {
      await queue.remove(jobId(deliveryId));
    },
    close: () => queue.close(),
  };
}
