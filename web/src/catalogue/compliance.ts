// The compliance pages in the message catalogue (spread into `messages.ts`): Vietnamese first.

export const vi = {} as const;

export const en: Record<keyof typeof vi, string> = {};
