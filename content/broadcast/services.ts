import path from "node:path";
import type { AudioMixer, ReadAloudTools, SlideRenderer, Tts } from "../ports/broadcast.js";
import type { Clock } from "../ports/clock.js";
import type { MediaStore } from "../ports/media.js";
import type { Db } from "../store/db.js";
import { createAirings } from "./aired.js";
import { createBroadcastAudio } from "./audio.js";
import { createBoards } from "./boards.js";
import { createHandover } from "./handover.js";
import { createBroadcastItems } from "./items.js";
import { createProgrammes } from "./programmes.js";
import { createScripts } from "./scripts.js";

/** The tools broadcasting is given: read-aloud text, speech, the loudspeaker mixer, the slide renderer. */
export interface BroadcastTools {
  text: ReadAloudTools;
  tts: Tts;
  mixer: AudioMixer;
  slides: SlideRenderer;
}

/** Wires the broadcasting use cases (stations, scripts, audio, airings, boards, programmes). */
export function createBroadcastServices(deps: {
  db: Db;
  clock: Clock;
  store: MediaStore;
  mediaDir: string;
  publicUrl: string;
  tools: BroadcastTools;
}) {
  const { db, clock, store, publicUrl, tools } = deps;
  const tmpDir = path.join(deps.mediaDir, "tmp");
  const scripts = createScripts(db, clock, tools.text);
  const boards = createBoards(db, clock, tools.slides, store, publicUrl, tmpDir);
  return {
    scripts,
    boards,
    items: createBroadcastItems(db, clock, tools.text),
    audio: createBroadcastAudio({ db, store, tts: tools.tts, mixer: tools.mixer, clock, tmpDir }),
    airings: createAirings(db, clock, scripts),
    programmes: createProgrammes(db, clock, scripts),
    handover: createHandover(db, clock, tools.text, scripts, publicUrl, boards.slide),
    readAloud: tools.text,
    clock,
  };
}
export type BroadcastServices = ReturnType<typeof createBroadcastServices>;
