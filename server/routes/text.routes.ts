import { z } from "zod";
import type { Services } from "../../content/services.js";
import { type Route, route } from "../route.js";

export const ReadAloudRequest = z.strictObject({
  text: z.string().min(1).max(200_000),
  dialect: z.enum(["south", "north"]).default("south"),
});

/** The Vietnamese text tools as an API: read-aloud normalisation for announcers and TTS. */
export function textRoutes(s: Services): Route[] {
  return [
    route({
      method: "post",
      path: "/text/read-aloud",
      summary:
        "Vietnamese text made ready to read aloud (numbers, dates, times, money, phones, addresses, abbreviations); Southern forms by default",
      body: ReadAloudRequest,
      handle: async ({ body }) => ({ text: s.broadcast.readAloud.readAloud(body.text, { dialect: body.dialect }), dialect: body.dialect }),
    }),
  ];
}
