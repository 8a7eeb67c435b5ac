import type { AdapterRegistry } from "../channels/registry.js";
import { createChannelService } from "./channels.js";
import type { Config } from "./config.js";
import { createDeliveryService } from "./deliveries.js";
import { createItemService } from "./items.js";
import type { Clock, DeliveryQueue, Log } from "./ports.js";
import { createPublisher } from "./publish.js";
import { createReconciler } from "./reconcile.js";
import type { SecretBox } from "./secrets.js";
import type { Db } from "./store/db.js";
import { createUserService } from "./users.js";

export interface ServiceDeps {
  db: Db;
  queue: DeliveryQueue;
  registry: AdapterRegistry;
  box: SecretBox;
  clock: Clock;
  log: Log;
  config: Pick<Config, "publish" | "reconcile">;
}

/** Grace beyond the publish timeout before a claimed delivery is judged abandoned by its worker. */
const STUCK_GRACE_MS = 60_000;

/** Wires the use cases to their collaborators; entry points and tests call this once. */
export function createServices(deps: ServiceDeps) {
  const { db, queue, registry, box, clock, log, config } = deps;
  return {
    db,
    users: createUserService(db, clock),
    channels: createChannelService(db, registry, box, clock),
    items: createItemService(db, clock),
    deliveries: createDeliveryService(db, queue, clock, log),
    publisher: createPublisher(db, registry, box, clock, config.publish, log),
    reconcile: createReconciler(
      db,
      queue,
      clock,
      { horizonMs: config.reconcile.horizonMs, stuckAfterMs: config.publish.timeoutMs + STUCK_GRACE_MS },
      log,
    ),
  };
}
export type Services = ReturnType<typeof createServices>;
