/** The work list of deliveries to run. BullMQ implements it in `workers/`; the database stays the truth. */
export interface DeliveryQueue {
  /** Adds one job per delivery, due at `runAt`; adding a delivery that already has a job is a no-op. */
  add(jobs: { deliveryId: string; runAt: Date }[]): Promise<void>;
  /** Removes a delivery's waiting job, if any (a running job is left alone). */
  remove(deliveryId: string): Promise<void>;
}

/** The work list of media to process (BullMQ in `workers/`); adding a media already listed is a no-op. */
export interface MediaQueue {
  add(mediaId: string): Promise<void>;
  remove(mediaId: string): Promise<void>;
}
