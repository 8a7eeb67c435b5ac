/** The minimal logger the domain needs (pino satisfies it). */
export interface Log {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  /** A logger whose every line carries `bindings` (pino's child loggers); loggers without it log the fields themselves. */
  child?(bindings: Record<string, unknown>): Log;
}

/** The logger of one delivery's publication: every line carries `deliveryId`. */
export function forDelivery(log: Log, deliveryId: string): Log {
  if (log.child) return log.child({ deliveryId });
  return {
    info: (obj, msg) => log.info({ deliveryId, ...obj }, msg),
    warn: (obj, msg) => log.warn({ deliveryId, ...obj }, msg),
    error: (obj, msg) => log.error({ deliveryId, ...obj }, msg),
  };
}
