// Calls every function the web app's API module exports, as the app does,
// with a stand-in for fetch that records each request and answers 200 (204
// for DELETE).
//
// Usage: node frontend_calls.mjs API_MODULE (a copy of js/api.js named .mjs,
// which Node loads as a module). Prints one JSON document: the requests, and
// the exported functions this script does not call.

const [apiModule] = process.argv.slice(2);
const requests = [];
globalThis.fetch = async (url, init = {}) => {
  const method = init.method || "GET";
  requests.push({
    method,
    url: String(url),
    headers: init.headers || {},
    body: init.body === undefined ? null : init.body,
  });
  if (method === "DELETE") {
    return new Response(null, { status: 204 });
  }
  return new Response("{}", {
    status: 200,
    headers: { "Content-Type": "application/json" },
  });
};

const api = await import(apiModule);
const token = "a-token";
const search = { q: "cat", category: "animals", order: "latest", page: 2 };

const drivers = {
  createUser: () => api.createUser("someone@example.com", "Aa11%$cccc"),
  createToken: () => api.createToken("someone@example.com", "Aa11%$cccc"),
  getCurrentUser: () => api.getCurrentUser(token),
  deleteCurrentToken: () => api.deleteCurrentToken(token),
  searchMedia: async () => {
    await api.searchMedia(token, "image", { ...search, colors: ["red", "blue"] });
    await api.searchMedia(token, "video", { ...search, video_type: "film" });
  },
  addFavorite: async () => {
    await api.addFavorite(token, "image", 2083492);
    await api.addFavorite(token, "video", 11543);
  },
  removeFavorite: () => api.removeFavorite(token, "video", 11543),
  listFavorites: () =>
    api.listFavorites(token, {
      mediaType: "image",
      cursor: "aWQ6MTI",
      limit: 24,
    }),
};

const uncalled = Object.entries(api)
  .filter(([name, value]) => typeof value === "function" && name !== "ApiError")
  .map(([name]) => name)
  .filter((name) => !(name in drivers));
for (const drive of Object.values(drivers)) {
  await drive();
}
console.log(JSON.stringify({ requests, uncalled, mediaTypes: api.MEDIA_TYPES }));
