import type { Readable } from "node:stream";
import { parse as parseCsv } from "fast-csv";
import { z } from "zod";
import { CampaignFilter } from "../../content/campaigns/campaigns.js";
import type { CsvRecord } from "../../content/campaigns/recipient-lists.js";
import { RecipientListFields } from "../../content/campaigns/recipient-lists.js";
import { AppError } from "../../content/errors.js";
import type { Services } from "../../content/services.js";
import { writersOnly } from "../auth.js";
import { withFilePart } from "../multipart.js";
import { type Route, route } from "../route.js";
import { parse } from "../validate.js";

export const SmsPreviewRequest = z.strictObject({ text: z.string().max(10_000), unaccent: z.boolean().default(false) });
const Phones = z.array(z.string().max(64)).min(1).max(1_000);
export const PhonesRequest = z.strictObject({ phones: Phones });

/** A CSV stream as records with their row number (the header is row 1); a malformed file is a 400 naming `file`. */
async function* csvRecords(stream: Readable): AsyncGenerator<CsvRecord> {
  const csv = stream.pipe(
    parseCsv({
      headers: (h) =>
        h.map((x) =>
          (x ?? "")
            .replace(/^\uFEFF/, "")
            .trim()
            .toLowerCase(),
        ),
      ignoreEmpty: true,
      trim: true,
      discardUnmappedColumns: true,
    }),
  );
  stream.on("error", (err) => csv.destroy(err));
  let row = 1;
  try {
    for await (const cells of csv as AsyncIterable<Record<string, string>>) {
      row++;
      yield { row, cells };
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError("invalid_input", `file: the CSV is malformed after row ${row} (${(err as Error).message})`, { field: "file" });
  }
}

/** SMS text preview, phone normalisation, opt-outs and recipient lists (issue 10). */
export function smsRoutes(s: Services): Route[] {
  const c = s.campaigns;
  return [
    route({
      method: "post",
      path: "/sms/preview",
      summary: "What a text costs as an SMS: encoding (GSM-7 or UCS-2), segments and units, optionally unaccented",
      body: SmsPreviewRequest,
      handle: async ({ body }) => c.preview(body.text, body.unaccent),
    }),
    route({
      method: "post",
      path: "/sms/phones",
      summary: "Normalise phone numbers to E.164 (Vietnamese mobiles; the 2018 conversion of 11-digit numbers applied)",
      body: PhonesRequest,
      handle: async ({ body }) => ({ data: c.phones(body.phones) }),
    }),
    route({
      method: "post",
      path: "/sms/opt-outs",
      summary: "Add numbers to the opt-out list (kept as a keyed hash): no campaign sends to them",
      body: PhonesRequest,
      guard: writersOnly,
      handle: async ({ user, body }) => c.optOuts.add(user, body.phones),
    }),
    route({
      method: "post",
      path: "/recipient-lists",
      summary: "Upload a recipient list (multipart: agencyId, name, then file: a CSV with a phone column, optionally commune)",
      bodyType: "multipart",
      guard: writersOnly,
      status: 201,
      handle: async ({ req, res, user }) =>
        withFilePart(req, res, "file", async (part) => {
          const fields = RecipientListFields.safeParse(part.fields);
          if (!fields.success) {
            part.stream.resume();
            parse(RecipientListFields, part.fields); // throws the 400 naming the field
          }
          return c.lists.import(user, parse(RecipientListFields, part.fields), csvRecords(part.stream));
        }),
    }),
    route({
      method: "get",
      path: "/recipient-lists/:id",
      summary: "A recipient list: its counts",
      handle: async ({ user, params }) => c.lists.get(user, params.id ?? ""),
    }),
  ];
}

/** Campaigns: report, per-recipient results, pause, resume, cancel. */
export function campaignRoutes(s: Services): Route[] {
  const c = s.campaigns;
  const steer = (action: "pause" | "resume" | "cancel") =>
    route({
      method: "post",
      path: `/campaigns/:id/${action}`,
      summary: `${action[0]?.toUpperCase()}${action.slice(1)} a campaign`,
      guard: writersOnly,
      handle: async ({ user, params }) => c.campaigns.steer(user, params.id ?? "", action),
    });
  return [
    route({
      method: "get",
      path: "/campaigns",
      summary: "The campaigns the caller may read, newest first: each with its item's title, channel, agency, status, totals and cost",
      query: CampaignFilter,
      handle: async ({ user, query }) => ({ data: await c.campaigns.list(user, query) }),
    }),
    route({
      method: "get",
      path: "/campaigns/:id",
      summary: "A campaign: totals by status, parts sent, cost in segments, throughput and ETA",
      handle: async ({ user, params }) => c.campaigns.get(user, params.id ?? ""),
    }),
    route({
      method: "get",
      path: "/campaigns/:id/recipients",
      summary: "Per-recipient results as CSV (numbers masked unless the reader is DOST or an admin)",
      query: z.strictObject({ format: z.enum(["csv"]).default("csv") }),
      handle: async ({ user, params, res }) => {
        const rows = c.campaigns.recipientsCsv(user, params.id ?? "");
        const first = await rows.next(); // access is checked before the answer starts
        res.type("text/csv; charset=utf-8").setHeader("content-disposition", `attachment; filename="campaign-${params.id}.csv"`);
        if (!first.done) res.write(first.value);
        for await (const chunk of rows) if (!res.write(chunk)) await new Promise((r) => res.once("drain", r));
        res.end();
        return undefined;
      },
    }),
    steer("pause"),
    steer("resume"),
    steer("cancel"),
  ];
}

/** An HTTP gateway's callback (Kannel's dlr-url, its MO get-url): the token in `k` authenticates it. */
export function smsCallbackRoute(s: Services): Route {
  return route({
    method: "get",
    path: "/api/sms/callback/:channelId",
    summary: "Delivery receipts and inbound messages from an HTTP SMS gateway (Kannel); authenticated by the channel's callback token",
    handle: async ({ params, req }) => {
      await s.campaigns.sending.callback(params.channelId ?? "", req.query as Record<string, string | undefined>);
      return { ok: true };
    },
  });
}
