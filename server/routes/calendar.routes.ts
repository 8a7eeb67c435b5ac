import { CalendarQuery } from "../../content/publishing/calendar.js";
import { CalendarFeedFilter, NewCalendarFeed } from "../../content/publishing/ical.js";
import { RecurrenceFilter, RecurrenceRequest } from "../../content/publishing/recurrence.js";
import type { Services } from "../../content/services.js";
import { type Route, route } from "../route.js";

/** The calendar (deliveries and free slots in a range), recurring deliveries, and the private iCal feeds' URLs. */
export function calendarRoutes(s: Services): Route[] {
  return [
    route({
      method: "get",
      path: "/calendar",
      summary: "The deliveries and the channels' free weekly slots between from and to (month and week views)",
      query: CalendarQuery,
      handle: ({ user, query }) => s.calendar(user, query),
    }),
    route({
      method: "post",
      path: "/items/:id/recurrences",
      summary: "Repeat the item on a channel every week or month, until a date or for a count",
      body: RecurrenceRequest,
      status: 201,
      handle: ({ user, params, body }) => s.recurrences.create(user, params.id ?? "", body),
    }),
    route({
      method: "get",
      path: "/recurrences",
      summary: "List recurring deliveries",
      query: RecurrenceFilter,
      handle: async ({ user, query }) => ({ data: await s.recurrences.list(user, query) }),
    }),
    route({
      method: "get",
      path: "/recurrences/:id",
      summary: "One recurring delivery: its rule, how many occurrences exist, the next one",
      handle: ({ user, params }) => s.recurrences.get(user, params.id ?? ""),
    }),
    route({
      method: "delete",
      path: "/recurrences/:id",
      summary: "Stop a recurring delivery: nothing more is created and its scheduled occurrences are cancelled",
      handle: ({ user, params }) => s.recurrences.stop(user, params.id ?? ""),
    }),
    route({
      method: "get",
      path: "/calendar/feeds",
      summary: "List the agency's private iCal feeds (never their tokens)",
      query: CalendarFeedFilter,
      handle: async ({ user, query }) => ({ data: await s.calendarFeeds.list(user, query) }),
    }),
    route({
      method: "post",
      path: "/calendar/feeds",
      summary: "A new private iCal URL of the agency's deliveries (its token shown once)",
      body: NewCalendarFeed,
      status: 201,
      handle: ({ user, body }) => s.calendarFeeds.create(user, body),
    }),
    route({
      method: "delete",
      path: "/calendar/feeds/:id",
      summary: "Revoke a private iCal URL at once",
      handle: ({ user, params }) => s.calendarFeeds.revoke(user, params.id ?? ""),
    }),
  ];
}

/** The private iCal feed itself: the token in the URL is what authenticates it (calendar apps send no header). */
export function icalRoutes(s: Services): Route[] {
  return [
    route({
      method: "get",
      path: "/ical/:file",
      summary: "An agency's deliveries as iCalendar (RFC 5545), at its private URL /ical/<token>.ics",
      handle: async ({ res, params }) => {
        const token = /^(loacal_[A-Za-z0-9_-]{43})\.ics$/.exec(params.file ?? "")?.[1];
        if (!token) {
          res.status(404).json({ code: "not_found", message: "calendar feeds are /ical/<token>.ics" });
          return;
        }
        const body = await s.calendarFeeds.render(token);
        // The URL is a secret: no shared cache may keep it, and no page may embed it.
        res.set({
          "content-type": "text/calendar; charset=utf-8",
          "cache-control": "private, max-age=300",
          "referrer-policy": "no-referrer",
        });
        res.send(body);
      },
    }),
  ];
}
