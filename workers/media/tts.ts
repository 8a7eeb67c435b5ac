import { spawn } from "node:child_process";
import type { Tts } from "../../content/ports/broadcast.js";
import { runTool } from "./ffmpeg.js";

/** espeak-ng reads its text from standard input (no argument length limit, nothing a shell could read). */
function speak(bin: string, args: string[], text: string, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const child = spawn(bin, args, { stdio: ["pipe", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (t: string) => {
      stderr = (stderr + t).slice(-4096);
    });
    const kill = () => child.kill("SIGKILL");
    signal.addEventListener("abort", kill, { once: true });
    child.on("error", (err) => {
      signal.removeEventListener("abort", kill);
      reject(new Error(`${bin} could not start (${err.message}): install espeak-ng (Debian: apt-get install espeak-ng)`));
    });
    child.on("close", (code) => {
      signal.removeEventListener("abort", kill);
      if (signal.aborted) return reject(signal.reason);
      if (code === 0) return resolve();
      reject(new Error(`${bin} failed (exit ${code}): ${stderr.trim().split("\n").pop() ?? ""}`));
    });
    child.stdin.end(text, "utf8");
  });
}

/**
 * Debian's espeak-ng as Loa's text-to-speech (voices `vi`, `vi-vn-x-central`, `vi-vn-x-south`): robotic
 * but intelligible, and on every machine. `-s` is its speed in words per minute (Vietnamese syllables).
 */
export async function createEspeakTts(bin = "espeak-ng"): Promise<Tts> {
  const version = await runTool(bin, ["--version"]).then(
    (r) => /(\d+\.\d+(?:\.\d+)?)/.exec(r.stdout)?.[1] ?? "unknown",
    () => "missing",
  );
  return {
    id: `espeak-ng ${version}`,
    async synthesize(text, { voice, wordsPerMinute }, outFile, signal) {
      await speak(bin, ["-v", voice, "-s", String(wordsPerMinute), "-w", outFile, "--stdin"], text.normalize("NFC"), signal);
    },
  };
}
