import { createItem } from "./fixtures.js";
import type { Api } from "./hub.js";

/** Creates a user through the API and answers its token. */
export async function user(api: Api, role: string, agencyId?: string, email?: string): Promise<string> {
  const res = await api("POST", "/api/users", {
    name: `${role} ${agencyId ?? ""}`.trim(),
    role,
    ...(agencyId ? { agencyId } : {}),
    ...(email ? { email } : {}),
  });
  if (res.status !== 201) throw new Error(`user: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token;
}

/** Creates an item through the API and answers its id. */
export async function item(
  api: Api,
  agencyId: string,
  kind: string,
  tasks: string[],
  title = "Hướng dẫn dịch vụ công trực tuyến",
): Promise<string> {
  return (await createItem(api, { agencyId, kind, title, body: "Nội dung tuyên truyền về dịch vụ công trực tuyến.", tasks })).id;
}

/** Records self-reported evidence through the API and answers the publication's id. */
export async function evidence(api: Api, itemId: string, channelKind: string, publishedAt: string, token?: string): Promise<string> {
  const res = await api("POST", "/api/publications", { itemId, channelKind, publishedAt, url: "https://cantho.gov.vn/bang-chung" }, token);
  if (res.status !== 201) throw new Error(`evidence: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/** The cells of one agency's row in a matrix answer, by period. */
export function rowOf(matrix: any, agencyId: string): Record<string, any> | undefined {
  const row = matrix.rows.find((r: any) => r.agency.id === agencyId);
  return row ? Object.fromEntries(row.cells.map((c: any) => [c.period, c])) : undefined;
}

export const fixedClock = (iso: string) => ({ now: () => new Date(iso) });
