// The ports of broadcasting: what content/broadcast hands a station's or a board's adapter with an item,
// and the tools it is given — read-aloud text (templates/text), speech synthesis and slides (workers/media).

/** A problem found before scheduling (the shape of `Problem` in adapter.ts, which imports this file). */
interface Problem {
  field: string;
  vi: string;
  en: string;
}

export type Dialect = "south" | "north";

/** Read-aloud normalisation (implemented by `templates/text/read-aloud.ts`). */
export interface ReadAloudTools {
  readAloud(text: string, options: { dialect: Dialect }): string;
  /** Seconds to read an already read-aloud text at `wordsPerMinute`. */
  readingSeconds(text: string, wordsPerMinute: number): number;
}

/**
 * A text-to-speech engine. Loa's is Debian's espeak-ng (`workers/media/tts.ts`): robotic but
 * intelligible. Another engine (a neural Vietnamese voice, a cloud service) implements this and is
 * built in `start/runtime.ts` instead; `id` goes into the cache key, so changing engine re-renders.
 */
export interface Tts {
  /** The engine and its version, e.g. `espeak-ng 1.51`. */
  readonly id: string;
  /** Writes speech for `text` (already read-aloud text) to `outFile` as WAV. */
  synthesize(text: string, options: { voice: string; wordsPerMinute: number }, outFile: string, signal: AbortSignal): Promise<void>;
}

/** Turns audio files into the loudspeaker MP3 (the media pipeline's two-pass loudness normalisation). */
export interface AudioMixer {
  /** Concatenates the inputs in order (any format ffmpeg reads) into one loudness-normalised MP3. */
  toLoudspeakerMp3(inputs: string[], outFile: string, signal: AbortSignal): Promise<{ durationMs: number }>;
}

/** What a slide shows. */
export interface SlideContent {
  title: string;
  text: string;
  /** Where the QR code leads. */
  qrUrl: string;
  /** The agency's name, under the logo or in its place. */
  agencyName: string;
  /** A local image file of the agency's logo, if it has one. */
  logo?: string;
  /** A badge such as KHẨN CẤP. */
  badge?: string;
}

/** Renders 1920×1080 PNG slides for e-bulletin boards (`workers/media/slide.ts`). */
export interface SlideRenderer {
  render(content: SlideContent, layout: string): Promise<Buffer>;
}

/** Priority of an item on the loudspeakers: thường, ưu tiên, khẩn cấp. */
export type Priority = "thuong" | "uu_tien" | "khan_cap";

/** What a station's adapter is handed with an item of its weekly script. */
export interface StationHandover {
  kind: "station";
  week: string;
  /** The suggested slot. */
  slot: Date;
  /** Added after the script froze (an urgent item). */
  addendum: boolean;
  priority: Priority;
  validFrom: Date;
  validUntil: Date;
  readAloud: string;
  readingSeconds: number;
  /** Where the item's MP3 and the week's script are (absolute URLs of this hub). */
  urls: { audio: string; script: string; text: string; rss: string; programme: string };
  /** The item's audio is synthesised, not a recording. */
  synthetic: boolean;
  /** Domain problems for the checks before scheduling (a frozen week). */
  problems: Problem[];
}

/** What a board's adapter is handed with an item: its slide (rendered on demand) and when to show it. */
export interface BoardHandover {
  kind: "board";
  validFrom: Date;
  validUntil: Date;
  durationSeconds: number;
  slide(): Promise<Buffer>;
  problems: Problem[];
}

export type BroadcastHandover = StationHandover | BoardHandover;
