import type { ChannelKind } from "../model.js";

/** How one publish attempt ended, as the publisher decided it. */
export type PublishOutcomeLabel = "published" | "retry" | "failed" | "unconfirmed" | "missed" | "delayed" | "taken";

/**
 * What the domain reports for operations (Prometheus in `workers/metrics.ts`). Every method is cheap
 * and synchronous: the publisher calls them on its hot path.
 */
export interface Metrics {
  /**
   * One publish attempt's end. `durationMs`: the provider call (absent when none was made);
   * `latenessMs`: from the delivery's scheduled time to the moment it was published (only when published).
   */
  publishAttempt(o: { kind: ChannelKind; outcome: PublishOutcomeLabel; code?: string; durationMs?: number; latenessMs?: number }): void;
  /** One media job processed (`outcome` as the media processor answers it). */
  mediaJob(o: { outcome: string; durationMs: number }): void;
}

/** For tests and tools that do not observe. */
export const noMetrics: Metrics = {
  publishAttempt: () => undefined,
  mediaJob: () => undefined,
};
