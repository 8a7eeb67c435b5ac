import { etagOf, PRINT_CSP, programmesHtml } from "../../content/broadcast/formats.js";
import { ProgrammeWeekQuery, Rundown } from "../../content/broadcast/programmes.js";
import type { Services } from "../../content/services.js";
import { type Route, route } from "../route.js";
import { sendValidated, weekAndFormat } from "./broadcast.routes.js";

const TYPES = {
  json: "application/json; charset=utf-8",
  html: "text/html; charset=utf-8",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
} as const;

/** The press programme (task 1.4): rundowns of `programme` items, and the week's export for the stations' prompters. */
export function programmeRoutes(s: Services): Route[] {
  const p = s.broadcast.programmes;
  return [
    route({
      method: "get",
      path: "/programmes/weeks/:week",
      summary: "The week's programmes on radio/TV stations with their rundowns: JSON, .html (printable) or .docx, for the prompter",
      query: ProgrammeWeekQuery,
      handle: async ({ req, res, user, params, query }) => {
        const { week, format } = weekAndFormat(params.week ?? "", undefined, s.broadcast.clock.now(), ["json", "html", "docx"]);
        const w = await p.week(user, week, query.stationId);
        const type = TYPES[format as keyof typeof TYPES];
        if (sendValidated(req, res, etagOf("programmes", format, w), type)) return;
        if (format === "html") {
          res.setHeader("content-security-policy", PRINT_CSP);
          res.send(programmesHtml(w));
          return;
        }
        if (format === "docx") {
          res.setHeader("content-disposition", `attachment; filename="chuong-trinh-${week}.docx"`);
          res.send(await (await import("../../content/broadcast/formats-docx.js")).programmesDocx(w));
          return;
        }
        res.json(w);
        return;
      },
    }),
    route({
      method: "get",
      path: "/programmes/:id/rundown",
      summary: "A programme's rundown: segments with durations, guests and notes",
      handle: ({ user, params }) => p.getRundown(user, params.id ?? ""),
    }),
    route({
      method: "put",
      path: "/programmes/:id/rundown",
      summary: "Replace a programme's rundown",
      body: Rundown,
      handle: ({ user, params, body }) => p.putRundown(user, params.id ?? "", body),
    }),
  ];
}
