/** The work list of deliveries to run. BullMQ implements it in `workers/`; the database stays the truth. */
export interface DeliveryQueue {
  /** Adds one job per delivery, due at `runAt`; adding a delivery that already has a job is a no-op. */
  add(jobs: { deliveryId: string; runAt: Date }[]): Promise<void>;
  /** Removes a delivery's waiting job, if any (a running job is left alone). */
  remove(deliveryId: string): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** The minimal logger the domain needs (pino satisfies it). */
export interface Log {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
