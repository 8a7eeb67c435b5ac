// The OpenAPI 3.1 document, generated from the route table: each route's method, path, summary and zod
// schemas (`z.toJSONSchema`, JSON Schema 2020-12 as OpenAPI 3.1 uses), never written by hand.
import { z } from "zod";
import { ErrorCode } from "../content/errors.js";
import { EXAMPLES } from "./openapi-examples.js";
import type { Route } from "./route.js";

type Schema = Record<string, unknown>;

/** The input side of a schema (what a client sends: before transforms and defaults), without `$schema`. */
function jsonSchema(schema: z.ZodType): Schema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any", reused: "inline" }) as Schema;
  return rest;
}

const ErrorAnswer = z.object({
  code: ErrorCode,
  message: z.string(),
  field: z.string().optional().meta({ description: "The request field at fault, as a dotted path (`deliveries.0.at`)" }),
});

const ERRORS: Record<string, string> = {
  "400": "Malformed or unknown field (names it in `field`)",
  "401": "No token, or an unknown, expired or revoked one",
  "403": "This role may not do this",
  "404": "Unknown, or another agency's",
  "409": "Not in a state that allows it",
  "422": "Well-formed but impossible (names the field)",
};

/** `/items/:id` → `/items/{id}` and the names of its parameters. */
function openPath(path: string): { path: string; params: string[] } {
  const params: string[] = [];
  const out = path.replace(/:(\w+)/g, (_m, name: string) => {
    params.push(name);
    return `{${name}}`;
  });
  return { path: out, params };
}

function queryParameters(query: z.ZodType | undefined, example: Record<string, string> | undefined) {
  if (!query) return [];
  const s = jsonSchema(query) as { properties?: Record<string, Schema>; required?: string[] };
  return Object.entries(s.properties ?? {}).map(([name, schema]) => ({
    name,
    in: "query",
    required: s.required?.includes(name) ?? false,
    schema,
    ...(example?.[name] === undefined ? {} : { example: example[name] }),
  }));
}

function requestBody(r: Route, example: unknown) {
  if (r.bodyType === "multipart") {
    return {
      required: true,
      content: {
        "multipart/form-data": {
          schema: {
            type: "object",
            required: ["agencyId", "file"],
            properties: { agencyId: { type: "string" }, file: { type: "string", contentMediaType: "application/octet-stream" } },
          },
        },
      },
    };
  }
  if (r.bodyType === "raw") {
    return {
      required: true,
      content: { "application/octet-stream": { schema: { type: "string", contentMediaType: "application/octet-stream" } } },
    };
  }
  if (!r.body) return undefined;
  return {
    required: true,
    content: { "application/json": { schema: jsonSchema(r.body), ...(example === undefined ? {} : { example }) } },
  };
}

const key = (r: Route, prefix: string) => `${r.method.toUpperCase()} ${prefix}${r.path}`;

/** The document of the API routes (under `/api`, bearer tokens) and the open ones (feeds, iCal, the OAuth callback). */
export function openApiDocument(table: { api: Route[]; open: Route[] }, publicUrl: string): Schema {
  const paths: Record<string, Record<string, unknown>> = {};
  const add = (r: Route, prefix: string, secured: boolean) => {
    const { path, params } = openPath(`${prefix}${r.path}`);
    const ex = EXAMPLES[key(r, prefix)];
    const ok = String(r.status ?? 200);
    const body = requestBody(r, ex?.body);
    const tag = (`${prefix}${r.path}`.split("/").filter(Boolean)[secured ? 1 : 0] ?? "api").replace(/s$/, "");
    paths[path] ??= {};
    (paths[path] as Record<string, unknown>)[r.method] = {
      operationId: `${r.method}${path.replace(/[{}]/g, "").replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? "").toUpperCase())}`,
      summary: r.summary,
      ...(ex?.description ? { description: ex.description } : {}),
      tags: [tag],
      parameters: [
        ...params.map((name) => ({
          name,
          in: "path",
          required: true,
          schema: { type: "string" },
          ...(ex?.params?.[name] === undefined ? {} : { example: ex.params[name] }),
        })),
        ...queryParameters(r.query, ex?.query),
      ],
      ...(body ? { requestBody: body } : {}),
      responses: {
        [ok]: {
          description: ok === "204" ? "Done, nothing to answer" : "Success",
          ...(ok === "204" || ex?.answer === undefined ? {} : { content: { "application/json": { example: ex.answer } } }),
        },
        ...Object.fromEntries(
          Object.entries(ERRORS)
            .filter(([status]) => secured || status !== "401")
            .map(([status, description]) => [
              status,
              { description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
            ]),
        ),
      },
      security: secured ? [{ bearer: [] }] : [],
    };
  };
  for (const r of table.api) add(r, "/api", true);
  for (const r of table.open) add(r, "", false);
  return {
    openapi: "3.1.0",
    info: {
      title: "Loa API",
      version: "1",
      description:
        "Loa — lên lịch và đăng tin về dịch vụ công trực tuyến của thành phố Cần Thơ. Thời gian theo ISO 8601 có múi giờ; Loa lưu UTC và tính tuần theo Asia/Ho_Chi_Minh.",
    },
    servers: [{ url: publicUrl }],
    paths,
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "Mã truy cập `loa_…` (POST /api/users, POST /api/tokens)" },
      },
      schemas: { Error: jsonSchema(ErrorAnswer) },
    },
  };
}
