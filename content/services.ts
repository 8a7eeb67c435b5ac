import path from "node:path";
import { createChannelService } from "./accounts/accounts.js";
import { flagReconnect } from "./accounts/health.js";
import { createOAuthService } from "./accounts/oauth.js";
import { handOverAt } from "./broadcast/handover.js";
import { type BroadcastTools, createBroadcastServices } from "./broadcast/services.js";
import { createCampaignServices, type SmsTools } from "./campaigns/services.js";
import { createDrillDown } from "./compliance/drilldown.js";
import { createEvidenceService } from "./compliance/evidence.js";
import { createExemptionService } from "./compliance/exemptions.js";
import { recordDeliveryPublication } from "./compliance/ledger.js";
import { createComplianceService } from "./compliance/matrix.js";
import { createObligationService } from "./compliance/obligations.js";
import { createReminders } from "./compliance/reminders.js";
import { annualReport } from "./compliance/reports/annual.js";
import { createWeeklyClose } from "./compliance/weekly-close.js";
import type { Config } from "./config.js";
import { createAgencyService } from "./directory/agencies.js";
import { createTokenService } from "./directory/tokens.js";
import { createUserService } from "./directory/users.js";
import { createItemService } from "./items/items.js";
import { createItemMediaService } from "./media/attachments.js";
import { createMediaProcessor } from "./media/processor.js";
import { createMediaService } from "./media/uploads.js";
import type { Actor, ChannelKind } from "./model.js";
import type { AdapterRegistry } from "./ports/adapter.js";
import type { Clock } from "./ports/clock.js";
import type { ChannelLimiter } from "./ports/limiter.js";
import type { Log } from "./ports/log.js";
import type { MediaStore, MediaTools } from "./ports/media.js";
import type { DeliveryQueue, MediaQueue } from "./ports/queues.js";
import type { Renderer } from "./ports/renderer.js";
import { createDeliveryService } from "./publishing/deliveries.js";
import { createDeliveryState } from "./publishing/delivery-state.js";
import { createPreviewService } from "./publishing/preview.js";
import { createPublisher } from "./publishing/publisher.js";
import { createReconciler } from "./publishing/reconciler.js";
import { createRequestBuilder } from "./publishing/request.js";
import type { SecretBox } from "./secrets.js";
import type { Db } from "./store/db.js";

export interface ServiceDeps {
  db: Db;
  queue: DeliveryQueue;
  registry: AdapterRegistry;
  box: SecretBox;
  clock: Clock;
  log: Log;
  renderer: Renderer;
  limiter: ChannelLimiter;
  config: Pick<Config, "dataDir" | "publish" | "reconcile" | "media" | "publicUrl" | "oauthApps" | "auth" | "sms">;
  /** Where media files live, the tools that derive their variants, and the media work list. */
  media: { store: MediaStore; tools: MediaTools; queue: MediaQueue };
  /** Read-aloud text, speech synthesis, the loudspeaker mixer and the slide renderer (content/ports/broadcast.ts). */
  broadcast: BroadcastTools;
  /** SMS text tools, gateways and the campaign batches' work list (content/campaigns). */
  sms: SmsTools;
}

/** Grace beyond the publish timeout before a claimed delivery is judged abandoned by its worker. */
const STUCK_GRACE_MS = 60_000;

/** Wires the use cases to their collaborators; entry points and tests call this once. */
export function createServices(deps: ServiceDeps) {
  const { db, queue, registry, box, clock, log, config } = deps;
  const compliance = createComplianceService(db, clock);
  const state = createDeliveryState(db, clock);
  const broadcast = createBroadcastServices({
    db,
    clock,
    store: deps.media.store,
    mediaDir: config.media.dir,
    publicUrl: config.publicUrl,
    tools: deps.broadcast,
  });
  const buildRequest = createRequestBuilder(
    db,
    registry,
    box,
    deps.renderer,
    deps.media.store,
    clock,
    config.oauthApps,
    broadcast.handover,
  );
  const preview = createPreviewService(db, buildRequest);
  const onPublished = async (deliveryId: string, at: Date) => {
    await recordDeliveryPublication(db, deliveryId, at);
  };
  const reconnect = (channelId: string, reason: string, at: Date) => flagReconnect(db, channelId, reason, at);
  const campaigns = createCampaignServices({
    db,
    clock,
    log,
    box,
    state,
    build: buildRequest,
    tools: deps.sms,
    config: config.sms,
    publicUrl: config.publicUrl,
    onPublished,
    flagReconnect: reconnect,
  });
  const mediaDeps = { db, clock, log, config: config.media, ...deps.media };
  const tokens = createTokenService(db, clock, config.auth.tokenTtlMs);
  return {
    db,
    /** The outbound client (the outbound policy applies) for Loa's own calls beyond adapters: reminder webhooks. */
    http: registry.http,
    tokens,
    users: createUserService(db, clock, tokens),
    agencies: createAgencyService(db, clock),
    channels: createChannelService(db, registry, box, clock),
    items: createItemService(db, clock),
    deliveries: createDeliveryService(db, state, queue, clock, log, preview.assertPublishable, handOverAt, campaigns.campaigns),
    campaigns,
    broadcast,
    preview,
    oauth: createOAuthService({ db, registry, box, clock, log, apps: config.oauthApps, publicUrl: config.publicUrl }),
    publisher: createPublisher({
      db,
      state,
      build: buildRequest,
      clock,
      policy: config.publish,
      log,
      limiter: deps.limiter,
      onPublished,
      flagReconnect: reconnect,
      handOff: (deliveryId) => campaigns.campaigns.start(deliveryId),
    }),
    buildRequest,
    media: createMediaService(mediaDeps),
    mediaProcessor: createMediaProcessor(mediaDeps),
    itemMedia: createItemMediaService(db, clock),
    obligations: createObligationService(db, clock),
    compliance,
    drillDown: createDrillDown(db, clock),
    exemptions: createExemptionService(db, clock),
    annualReport: (actor: Actor, year: number) => annualReport(db, compliance, clock, actor, year),
    evidence: createEvidenceService(db, clock, path.join(config.dataDir, "evidence")),
    closeFinished: createWeeklyClose(db, clock, log),
    reminders: createReminders(db, clock, log, broadcast.airings.unconfirmed),
    reconcile: createReconciler(
      db,
      state,
      queue,
      clock,
      {
        horizonMs: config.reconcile.horizonMs,
        stuckAfterMs: (kind) => Math.max(config.publish.timeoutMs, registry.factory(kind as ChannelKind)?.timeoutMs ?? 0) + STUCK_GRACE_MS,
      },
      log,
    ),
  };
}
export type Services = ReturnType<typeof createServices>;
