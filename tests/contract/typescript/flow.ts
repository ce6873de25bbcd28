// A scripted session through a TypeScript client generated from openapi.yaml:
// openapi-typescript writes the types (schema.d.ts) and openapi-fetch sends
// the requests. It is compiled with `tsc --strict` first, so a call that
// does not match the spec does not even build. It prints what it saw as one
// JSON document, which test_typescript_client.py checks.

import createClient, { type Middleware } from "openapi-fetch";
import type { paths } from "./schema.js";

declare const process: { argv: string[] };

const FAVORITE = "/api/v1/users/me/favorites/{media_type}/{media_id}";

function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) {
    throw new Error(`no ${what}`);
  }
  return value;
}

async function main(baseUrl: string, email: string, password: string) {
  const client = createClient<paths>({ baseUrl });

  const created = await client.POST("/api/v1/users", { body: { email, password } });
  const issued = await client.POST("/api/v1/tokens", { body: { email, password } });
  const token = must(issued.data, "token").access_token;
  const bearer: Middleware = {
    onRequest({ request }) {
      request.headers.set("Authorization", `Bearer ${token}`);
      return request;
    },
  };
  client.use(bearer);

  const me = await client.GET("/api/v1/users/me");
  const imagePage = await client.GET("/api/v1/images", {
    params: { query: { q: "cat", per_page: 3 } },
  });
  const videoPage = await client.GET("/api/v1/videos", {
    params: { query: { q: "nature", per_page: 3 } },
  });
  const images = must(imagePage.data, "images").items;
  const videos = must(videoPage.data, "videos").items;

  const marked: number[] = [];
  for (const item of [images[0], images[1], videos[0]]) {
    const { response } = await client.PUT(FAVORITE, {
      params: { path: { media_type: item.media_type, media_id: item.id } },
    });
    marked.push(response.status);
  }
  const firstPage = await client.GET("/api/v1/users/me/favorites", {
    params: { query: { limit: 2 } },
  });
  const first = must(firstPage.data, "first page");
  const secondPage = await client.GET("/api/v1/users/me/favorites", {
    params: { query: { limit: 2, cursor: first.next_cursor ?? undefined } },
  });
  const second = must(secondPage.data, "second page");

  const video = { media_type: "video" as const, media_id: videos[0].id };
  const removed = await client.DELETE(FAVORITE, { params: { path: video } });
  const gone = await client.GET(FAVORITE, { params: { path: video } });
  client.eject(bearer);
  const refused = await client.POST("/api/v1/tokens", {
    body: { email, password: `${password}x` },
  });

  return {
    created: [created.response.status, created.data?.email],
    tokenType: must(issued.data, "token").token_type,
    me: me.data?.email,
    imageTypes: images.map((item) => item.media_type),
    videoTypes: videos.map((item) => item.media_type),
    marked,
    favorites: [...first.items, ...second.items].map((favorite) => favorite.media_id),
    expected: [videos[0].id, images[1].id, images[0].id],
    lastCursor: second.next_cursor,
    removed: removed.response.status,
    gone: [gone.response.status, gone.error?.code],
    refused: [refused.response.status, refused.error?.code],
  };
}

const [baseUrl, email, password] = process.argv.slice(2);
console.log(JSON.stringify(await main(baseUrl, email, password)));
