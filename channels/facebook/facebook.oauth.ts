import { z } from "zod";
import { AppError } from "../../content/errors.js";
import type { HttpClient, OAuthProvider, ProviderEndpoints } from "../../content/ports/adapter.js";
import { parseAnswer, send } from "../http.js";
import { graphError } from "./facebook.graph.js";

/** What a Page needs: publish as the Page, read its posts (for `lookup`), list the Pages the officer manages. */
export const FACEBOOK_SCOPES = ["pages_manage_posts", "pages_read_engagement", "pages_show_list"];

export interface FacebookOAuthSettings {
  pageId: string;
  graphVersion: string;
}

const Token = z.object({ access_token: z.string().min(1) });
const PageToken = z.object({ access_token: z.string().min(1).optional(), id: z.string().optional() });

async function get<T>(http: HttpClient, url: URL, schema: z.ZodType<T>, signal: AbortSignal, token?: string): Promise<T> {
  const res = await send(http, url.toString(), {
    method: "GET",
    signal,
    headers: { "user-agent": "Loa/0.1", ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
  if (!res.ok) throw await graphError(res);
  return parseAnswer(res, schema, "Facebook");
}

const graphUrl = (e: ProviderEndpoints, s: FacebookOAuthSettings, path: string, query: Record<string, string>) => {
  const u = new URL(`${e.facebook.graph}/${s.graphVersion}/${path}`);
  for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
  return u;
};

/**
 * Facebook Login's code flow for a Page (developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow):
 * the code becomes a short-lived user token, that a long-lived one (`fb_exchange_token`), and that the
 * Page's token (`/{page-id}?fields=access_token`), which then does not expire; the Page token is the
 * channel's secret. PKCE is not sent: Facebook documents it only for its OIDC flow, still in testing,
 * and this server-side exchange is authenticated by the app secret.
 */
export const facebookOAuth: OAuthProvider<FacebookOAuthSettings> = {
  authorizeUrl({ app, settings, endpoints, redirectUri, state }) {
    const u = new URL(`${endpoints.facebook.dialog}/${settings.graphVersion}/dialog/oauth`);
    u.searchParams.set("client_id", app.clientId);
    u.searchParams.set("redirect_uri", redirectUri);
    u.searchParams.set("state", state);
    u.searchParams.set("response_type", "code");
    u.searchParams.set("scope", FACEBOOK_SCOPES.join(","));
    return u.toString();
  },

  async exchange({ app, settings, endpoints, redirectUri, code, http, signal }) {
    const client = { client_id: app.clientId, client_secret: app.clientSecret };
    const short = await get(
      http,
      graphUrl(endpoints, settings, "oauth/access_token", { ...client, redirect_uri: redirectUri, code }),
      Token,
      signal,
    );
    const long = await get(
      http,
      graphUrl(endpoints, settings, "oauth/access_token", {
        ...client,
        grant_type: "fb_exchange_token",
        fb_exchange_token: short.access_token,
      }),
      Token,
      signal,
    );
    const page = await get(
      http,
      graphUrl(endpoints, settings, settings.pageId, { fields: "access_token" }),
      PageToken,
      signal,
      long.access_token,
    );
    if (!page.access_token) {
      throw new AppError(
        "forbidden",
        `the Facebook account that connected cannot post as Page ${settings.pageId}: connect with an account that manages the Page and grant ${FACEBOOK_SCOPES.join(", ")}`,
      );
    }
    return { secret: page.access_token };
  },
};
