// Watches a model that may go quiet: a model server can accept the request and then send nothing (still
// loading the model, swapped out, stuck), and nothing on the wire says so. After `warnAfterMs` without a
// first token it warns once; after `stopAfterMs` without any text — before the first token or between
// two — it gives up. `heard()` is called for every piece of text.

export type SilenceWatchOptions = {
  warnAfterMs: number;
  stopAfterMs: number;
  /** No first token after warnAfterMs (once; only when that comes before stopAfterMs). */
  onWarn(silentMs: number): void;
  /** Nothing for stopAfterMs: the caller aborts the request. */
  onStop(silentMs: number, heardAnything: boolean): void;
};

export function watchSilence(o: SilenceWatchOptions) {
  let heardAnything = false;
  let stopped = false;
  const warn = o.warnAfterMs < o.stopAfterMs ? setTimeout(() => o.onWarn(o.warnAfterMs), o.warnAfterMs) : null;
  const stop = setTimeout(fire, o.stopAfterMs);
  function fire() {
    stopped = true;
    if (warn) clearTimeout(warn);
    o.onStop(o.stopAfterMs, heardAnything);
  }
  return {
    heard() {
      if (stopped) return;
      if (!heardAnything && warn) clearTimeout(warn);
      heardAnything = true;
      // refresh() re-arms the same timer: no new timer object per token.
      stop.refresh();
    },
    /** The request ended, one way or another. */
    end() {
      stopped = true;
      if (warn) clearTimeout(warn);
      clearTimeout(stop);
    },
  };
}

/** "30 s", "1.5 s", "300 ms": a duration as the sentences in the log say it. */
export function spokenDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
