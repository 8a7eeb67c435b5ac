// Secondary panels (the obligation banner, the failures list) wait until the page's main content is
// drawn, so that their requests do not delay it (the month calendar's budget is 1 s), or at most a moment.
let ready = false;
const waiting = new Set<() => void>();

/** A page says its main content is on screen. */
export function mainContentReady(): void {
  ready = true;
  for (const fn of waiting) fn();
  waiting.clear();
}

/** Runs `fn` once the main content is drawn, or after `maxMs` at the latest; answers a cancel function. */
export function afterMainContent(fn: () => void, maxMs = 600): () => void {
  if (ready) {
    fn();
    return () => undefined;
  }
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    waiting.delete(once);
    fn();
  };
  const timer = setTimeout(once, maxMs);
  waiting.add(once);
  return () => {
    done = true;
    clearTimeout(timer);
    waiting.delete(once);
  };
}
