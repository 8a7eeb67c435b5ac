import { spawn } from "node:child_process";

/**
 * A small typed wrapper over `child_process.spawn` for the system ffmpeg/ffprobe (Debian's 5.1).
 * Chosen over fluent-ffmpeg (deprecated, archived upstream in May 2025) because Loa needs only three
 * things — run with arguments, read `-progress` output, kill on abort — and plain argument arrays are
 * what the benchmark compares against. No shell is involved, so file names cannot inject anything.
 */
export interface Binaries {
  ffmpeg: string;
  ffprobe: string;
}

export interface RunOptions {
  signal?: AbortSignal;
  /** The duration of the input, to turn `out_time_us` into a fraction. */
  durationMs?: number;
  /** Called with 0–1 as ffmpeg reports progress. */
  onProgress?: (fraction: number) => void;
  /** ffmpeg's `-v`: `error` by default; `info` when the caller reads a filter's report from stderr. */
  logLevel?: "error" | "info";
}

/** Keeps the last bytes of a child's stderr: enough for an error message, never the whole log. */
const STDERR_KEEP = 64 * 1024;

/** Parses ffmpeg's `-progress` key=value lines, which may arrive split across chunks. */
export class ProgressParser {
  #rest = "";
  #outTimeUs = 0;
  /** Feeds text; answers the `out_time` (µs) of each completed progress block, and whether the run ended. */
  push(text: string): { outTimeUs: number; end: boolean }[] {
    const lines = (this.#rest + text).split("\n");
    this.#rest = lines.pop() ?? "";
    const events: { outTimeUs: number; end: boolean }[] = [];
    for (const line of lines) {
      const eq = line.indexOf("=");
      if (eq < 0) continue;
      const key = line.slice(0, eq).trim();
      const value = line.slice(eq + 1).trim();
      // `out_time_ms` is also in microseconds (a long-standing ffmpeg quirk); prefer `out_time_us`.
      if (key === "out_time_us" || key === "out_time_ms") {
        const n = Number(value);
        if (Number.isFinite(n) && n >= 0) this.#outTimeUs = n;
      } else if (key === "progress") {
        events.push({ outTimeUs: this.#outTimeUs, end: value === "end" });
      }
    }
    return events;
  }
}

export class ToolError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(message);
    this.name = "ToolError";
  }
}

/** The last meaningful line of a tool's stderr, for an error message. */
export function lastLine(stderr: string): string {
  const lines = stderr
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  return lines[lines.length - 1] ?? "no output";
}

/** Runs a binary; resolves with its stdout and stderr tail; kills it (SIGKILL) when `signal` aborts. */
export function runTool(
  bin: string,
  args: string[],
  options: { signal?: AbortSignal; onStdout?: (text: string) => void } = {},
): Promise<{ stdout: string; stderr: string }> {
  const { signal, onStdout } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (t: string) => {
      if (onStdout) onStdout(t);
      else stdout += t;
    });
    child.stderr.setEncoding("utf8").on("data", (t: string) => {
      stderr = (stderr + t).slice(-STDERR_KEEP);
    });
    const kill = () => child.kill("SIGKILL");
    signal?.addEventListener("abort", kill, { once: true });
    child.on("error", (err) => {
      signal?.removeEventListener("abort", kill);
      // Not a ToolError: a missing binary is Loa's problem (a 500 and a clear log line), not the upload's.
      reject(
        new Error(
          `${bin} could not start (${err.message}): install ffmpeg (Debian: apt-get install ffmpeg) or set FFMPEG_PATH/FFPROBE_PATH`,
        ),
      );
    });
    // `close` (not `exit`) so that every output file is closed before the caller cleans up.
    child.on("close", (code, sig) => {
      signal?.removeEventListener("abort", kill);
      if (signal?.aborted) return reject(signal.reason);
      if (code === 0) return resolve({ stdout, stderr });
      reject(new ToolError(`${bin} failed (${sig ?? `exit ${code}`}): ${lastLine(stderr)}`, stderr));
    });
  });
}

/** Runs ffmpeg with progress reporting on stdout; `args` are the inputs, filters and outputs. */
export async function ffmpeg(bins: Binaries, args: string[], options: RunOptions = {}): Promise<string> {
  const parser = new ProgressParser();
  const total = (options.durationMs ?? 0) * 1000;
  const head = ["-hide_banner", "-nostdin", "-y", "-v", options.logLevel ?? "error", "-nostats", "-progress", "pipe:1"];
  const { stderr } = await runTool(bins.ffmpeg, [...head, ...args], {
    ...(options.signal ? { signal: options.signal } : {}),
    onStdout: (text) => {
      for (const e of parser.push(text)) {
        if (e.end) options.onProgress?.(1);
        else if (total > 0) options.onProgress?.(Math.min(1, e.outTimeUs / total));
      }
    },
  });
  return stderr;
}
