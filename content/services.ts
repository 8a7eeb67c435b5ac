import crypto from "node:crypto";
import path from "node:path";
import { createChannelService } from "./accounts/accounts.js";
import { flagReconnect } from "./accounts/health.js";
import { createOAuthService } from "./accounts/oauth.js";
import { handOverAt } from "./broadcast/handover.js";
import { type BroadcastTools, createBroadcastServices } from "./broadcast/services.js";
import { CAMPAIGN_KINDS } from "./campaigns/campaigns.js";
import { createCampaignServices, type SmsTools } from "./campaigns/services.js";
import { createDrillDown } from "./compliance/drilldown.js";
import { createEvidenceService } from "./compliance/evidence.js";
import { createExemptionService } from "./compliance/exemptions.js";
import { recordDeliveryPublications } from "./compliance/ledger.js";
import { createComplianceService } from "./compliance/matrix.js";
import { createObligationService } from "./compliance/obligations.js";
import { createReminders } from "./compliance/reminders.js";
import { annualReport } from "./compliance/reports/annual.js";
import { createWeeklyClose } from "./compliance/weekly-close.js";
import type { Config } from "./config.js";
import { createAgencyService } from "./directory/agencies.js";
import { createAuditLog } from "./directory/audit-log.js";
import { createSessionService } from "./directory/sessions.js";
import { createTokenService } from "./directory/tokens.js";
import { createUserService } from "./directory/users.js";
import { createEvents } from "./events/events.js";
import { createApproval } from "./items/approval.js";
import { createComments } from "./items/comments.js";
import { createItemImport } from "./items/import.js";
import { createItemService } from "./items/items.js";
import { createItemLifecycle } from "./items/lifecycle.js";
import { createLibrary } from "./library/library.js";
import { createItemMediaService } from "./media/attachments.js";
import { createMediaProcessor } from "./media/processor.js";
import { createMediaService } from "./media/uploads.js";
import type { Actor, ChannelKind } from "./model.js";
import { createAlerts } from "./notify/alerts.js";
import { createNotificationReads } from "./notify/notifications.js";
import { createWebhooks } from "./notify/webhooks.js";
import type { AdapterRegistry } from "./ports/adapter.js";
import type { Clock } from "./ports/clock.js";
import type { ChannelLimiter } from "./ports/limiter.js";
import type { Log } from "./ports/log.js";
import type { Mailer } from "./ports/mailer.js";
import type { MediaStore, MediaTools } from "./ports/media.js";
import type { Metrics } from "./ports/metrics.js";
import type { DeliveryQueue, MediaQueue } from "./ports/queues.js";
import type { Renderer } from "./ports/renderer.js";
import type { TextFolding } from "./ports/text.js";
import { createCalendar } from "./publishing/calendar.js";
import { createDeliveryService } from "./publishing/deliveries.js";
import { createDeliveryState } from "./publishing/delivery-state.js";
import { createExport } from "./publishing/export.js";
import { createCalendarFeeds } from "./publishing/ical.js";
import { createPreviewService } from "./publishing/preview.js";
import { createPublisher, type PublishedFacts } from "./publishing/publisher.js";
import { createReconciler } from "./publishing/reconciler.js";
import { createRecurrences } from "./publishing/recurrence.js";
import { createRequestBuilder, loadedContent } from "./publishing/request.js";
import { createUnconfirmedResolver } from "./publishing/unconfirmed.js";
import type { SecretBox } from "./secrets.js";
import { groupCommit } from "./store/batch.js";
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
  /** Operations' figures (Prometheus in workers/metrics.ts); none when absent. */
  metrics?: Metrics;
  config: Pick<Config, "dataDir" | "publish" | "reconcile" | "media" | "publicUrl" | "oauthApps" | "auth" | "sms"> &
    Partial<Pick<Config, "webhooks">>;
  /** E-mail for alerts and mentions, when SMTP is configured. */
  mailer?: Mailer;
  /** Where media files live, the tools that derive their variants, and the media work list. */
  media: { store: MediaStore; tools: MediaTools; queue: MediaQueue };
  /** Read-aloud text, speech synthesis, the loudspeaker mixer and the slide renderer (content/ports/broadcast.ts). */
  broadcast: BroadcastTools;
  /** Accent-insensitive search (the library). */
  text: TextFolding;
  /** SMS text tools, gateways and the campaign batches' work list (content/campaigns). */
  sms: SmsTools;
}

/** Grace beyond the publish timeout before a claimed delivery is judged abandoned by its worker. */
const STUCK_GRACE_MS = 60_000;

/** A service whose method `name` (taking an actor and an item id first) changes an item's content: the approval freeze is checked after it. */
function frozenAfter<S extends Record<K, (actor: Actor, itemId: string, ...rest: never[]) => Promise<unknown>>, K extends keyof S>(
  service: S,
  name: K,
  enforce: (itemId: string, actor: Actor) => Promise<boolean>,
): S {
  const original = service[name];
  const wrapped = (async (actor: Actor, itemId: string, ...rest: never[]) => {
    const answer = await original(actor, itemId, ...rest);
    await enforce(itemId, actor);
    return answer;
  }) as S[K];
  return { ...service, [name]: wrapped };
}

/** Wires the use cases to their collaborators; entry points and tests call this once. */
export function createServices(deps: ServiceDeps) {
  // This process's name in the leases of its claims.
  const workerId = `${process.pid}-${crypto.randomUUID().slice(0, 8)}`;
  const { db, queue, registry, box, clock, log, config } = deps;
  const compliance = createComplianceService(db, clock);
  // Alerts and outgoing webhooks hear of every delivery status change; they are built below.
  let alerts: ReturnType<typeof createAlerts> | undefined;
  const state = createDeliveryState(db, clock, () => alerts?.onDelivery);
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
  // Publications confirmed at the same time are recorded together (content/store/batch.ts).
  const record = groupCommit((list: { deliveryId: string; now: Date; known?: PublishedFacts }[]) => recordDeliveryPublications(db, list));
  const onPublished = async (deliveryId: string, at: Date, facts?: PublishedFacts) => {
    await record({ deliveryId, now: at, ...(facts ? { known: facts } : {}) });
  };
  // A channel whose credentials the provider refused: flagged, and its agency's officers alerted.
  const reconnect = async (channelId: string, reason: string, at: Date) => {
    await flagReconnect(db, channelId, reason, at);
    await alerts
      ?.onReconnect(channelId, at)
      .catch((err: unknown) => log.warn({ err, channelId }, "could not e-mail the reconnect request"));
  };
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
  const webhooks = createWebhooks(
    db,
    clock,
    box,
    registry.http,
    config.webhooks ?? { maxAttempts: 8, backoffMs: 30_000, timeoutMs: 10_000 },
    log,
  );
  alerts = createAlerts(db, log, deps.mailer, () => webhooks.sink);
  const deliveries = createDeliveryService(db, state, queue, clock, log, preview.assertPublishable, handOverAt, campaigns.campaigns);
  const approval = createApproval(db, clock, state, deliveries, () => webhooks.sink);
  const itemAlerts = alerts;
  const closeFinished = createWeeklyClose(db, clock, log);
  const sessions = createSessionService(db, clock, config.auth.sessionTtlMs);
  const recurrences = createRecurrences({
    db,
    state,
    queue,
    clock,
    log,
    checkPublishable: preview.assertPublishable,
    handOverAt,
    horizonMs: config.reconcile.horizonMs,
  });
  const reconcile = createReconciler(
    db,
    state,
    queue,
    clock,
    {
      horizonMs: config.reconcile.horizonMs,
      stuckAfterMs: (kind) => Math.max(config.publish.timeoutMs, registry.factory(kind as ChannelKind)?.timeoutMs ?? 0) + STUCK_GRACE_MS,
    },
    log,
    createUnconfirmedResolver(
      db,
      state,
      buildRequest,
      clock,
      { settleMs: config.reconcile.settleMs, timeoutMs: config.publish.timeoutMs },
      log,
      onPublished,
    ),
  );
  const items = createItemService(db, clock);
  const events = createEvents(db, clock);
  return {
    db,
    /** The outbound client (the outbound policy applies) for Loa's own calls beyond adapters: reminder webhooks. */
    http: registry.http,
    tokens,
    sessions,
    users: createUserService(db, clock, tokens, sessions),
    agencies: createAgencyService(db, clock),
    channels: createChannelService(db, registry, box, clock),
    items,
    deliveries,
    campaigns,
    approval,
    lifecycle: createItemLifecycle(db, clock, approval, state, deliveries, preview.assertPublishable),
    comments: createComments(db, clock, log, deps.mailer),
    notificationReads: createNotificationReads(db, clock),
    webhooks,
    alerts: itemAlerts,
    auditLog: createAuditLog(db),
    // Changing the read-aloud text is a change of the approved version too.
    broadcast: { ...broadcast, items: frozenAfter(broadcast.items, "update", (itemId, actor) => approval.enforceFreeze(itemId, actor)) },
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
      ...(deps.metrics ? { metrics: deps.metrics } : {}),
      owner: workerId,
      onPublished,
      approvedAsIs: (itemId, loaded) => approval.enforceFreeze(itemId, undefined, loaded && loadedContent(loaded)),
      flagReconnect: reconnect,
      handOff: (deliveryId, kind) => (CAMPAIGN_KINDS.includes(kind) ? campaigns.campaigns.start(deliveryId) : Promise.resolve(false)),
    }),
    buildRequest,
    media: createMediaService(mediaDeps),
    mediaProcessor: createMediaProcessor(mediaDeps),
    itemMedia: frozenAfter(createItemMediaService(db, clock), "attach", (itemId, actor) => approval.enforceFreeze(itemId, actor)),
    obligations: createObligationService(db, clock),
    compliance,
    drillDown: createDrillDown(db, clock),
    exemptions: createExemptionService(db, clock),
    annualReport: (actor: Actor, year: number) => annualReport(db, compliance, clock, actor, year),
    evidence: createEvidenceService(db, clock, path.join(config.dataDir, "evidence")),
    closeFinished: async (now?: Date) => {
      const r = await closeFinished(now);
      // One `week.closed` event per task and range closed (subscribers of every agency hear of it).
      for (const range of r.closed ? r.ranges.filter((x) => x.from.includes("-W")) : [])
        await webhooks.sink
          .emit({ event: "week.closed", key: `week.closed:${range.task}:${range.to}`, agencyId: null, data: range, at: clock.now() })
          .catch((err: unknown) => log.warn({ err }, "could not queue the week.closed webhook"));
      return r;
    },
    reminders: createReminders(db, clock, log, broadcast.airings.unconfirmed),
    calendar: createCalendar(db, clock),
    calendarFeeds: createCalendarFeeds(db, clock, config.publicUrl),
    recurrences,
    importItems: createItemImport({
      db,
      clock,
      createItem: items.create,
      scheduleMany: deliveries.scheduleMany,
      checkPublishable: preview.assertPublishable,
    }),
    exportFile: createExport(db),
    events,
    /** `event.progress` to outgoing webhooks: each running event's progress, once per change (the clock's tick). */
    eventProgress: async (): Promise<number> => {
      const changes = await events.running();
      for (const c of changes) await webhooks.sink.emit({ event: "event.progress", key: c.key, agencyId: null, data: c, at: clock.now() });
      return changes.length;
    },
    library: createLibrary({ db, clock, text: deps.text, createItem: items.create }),
    /** Recurring deliveries due within the horizon are created first, then every due job is (re)added. */
    reconcile: Object.assign(
      async () => {
        const recurring = await recurrences.materialize().catch((err: unknown) => {
          log.error({ err }, "could not create the recurring deliveries now; the next reconcile tries again");
          return 0;
        });
        return { recurring, ...(await reconcile()) };
      },
      { reclaim: reconcile.reclaim },
    ),
  };
}
export type Services = ReturnType<typeof createServices>;
