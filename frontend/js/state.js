// What the app holds between pages: the session, where the person is (the
// URL is the single record of it, so reload, back, forward and bookmarks all
// work), the lists being scrolled and the favorite requests in flight.

const SESSION_KEY = "trove.session";
const SCROLL_KEY = "trove.scroll";
const KEPT_SCROLL_POSITIONS = 50;
export const PER_PAGE = 24;
export const FAVORITES_LIMIT = 24;
// The API serves at most 500 results per search; 21 pages of 24 cover them.
const MAX_PAGE = Math.ceil(500 / PER_PAGE);

export const IMAGE_TYPES = ["all", "photo", "illustration", "vector"];
export const VIDEO_TYPES = ["all", "film", "animation"];
export const ORIENTATIONS = ["all", "horizontal", "vertical"];
export const ORDERS = ["popular", "latest"];
export const CATEGORIES = [
  "backgrounds", "fashion", "nature", "science", "education", "feelings",
  "health", "people", "religion", "places", "animals", "industry", "computer",
  "food", "sports", "transportation", "travel", "buildings", "business",
  "music",
];
export const COLORS = [
  "grayscale", "transparent", "red", "orange", "yellow", "green", "turquoise",
  "blue", "lilac", "pink", "white", "gray", "black", "brown",
];

// The session lives in sessionStorage, not localStorage: the token then dies
// with the tab instead of staying on the disk of a shared computer for its
// whole lifetime, and it is not handed to every other tab. Script injection
// could read either, which is why all text reaches the page as text only.
// The price is logging in again in a new tab; a reload keeps the session.

/** The stored session {token, email, expiresAt}, or null if there is none. */
export function loadSession() {
  let session;
  try {
    session = JSON.parse(sessionStorage.getItem(SESSION_KEY));
  } catch {
    return null;
  }
  if (!session || typeof session.token !== "string") {
    return null;
  }
  return session;
}

/** Whether a session's token has passed the expiry the API gave with it. */
export function isExpired(session, now = Date.now()) {
  return typeof session.expiresAt === "number" && session.expiresAt <= now;
}

/** Keeps the token the API issued for `email`. */
export function saveSession(email, token) {
  const session = {
    token: token.access_token,
    email,
    expiresAt: Date.now() + token.expires_in * 1000,
  };
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  return session;
}

/** Forgets the token. */
export function clearSession() {
  sessionStorage.removeItem(SESSION_KEY);
}

// Routing

const ROUTES = {
  "/": "home",
  "/search": "search",
  "/favorites": "favorites",
  "/login": "login",
  "/register": "register",
};
const PUBLIC_ROUTES = new Set(["login", "register", "notfound"]);
const routeListeners = [];

/** Where the person is: {name, params, path}. */
export function currentRoute() {
  const url = new URL(location.href);
  const path = url.pathname.replace(/\/+$/, "") || "/";
  return {
    name: ROUTES[path] || "notfound",
    params: url.searchParams,
    path: url.pathname + url.search,
  };
}

/** Whether a route needs a signed-in user. */
export function needsSession(route) {
  return !PUBLIC_ROUTES.has(route.name);
}

/** Calls `listener(route)` whenever the route changes. */
export function onRouteChange(listener) {
  routeListeners.push(listener);
}

/** Goes to an app path, adding a history entry unless `replace`. */
export function navigate(path, { replace = false } = {}) {
  entry = newEntryKey();
  if (replace) {
    history.replaceState({ key: entry }, "", path);
  } else {
    history.pushState({ key: entry }, "", path);
  }
  announceRoute();
}

/** Changes the URL without going anywhere, as when more pages have loaded. */
export function replaceUrl(path) {
  history.replaceState(history.state, "", path);
}

// Scroll positions, by history entry. Each entry carries a key in its
// history state; positions are kept here rather than in the history state,
// because a write to the history state that comes late (after back or
// forward) would land on the entry the person went to.
let entry = null;
const scrollPositions = new Map(readScrollPositions());

/** The scroll position last seen on this history entry, or null. */
export function savedScroll() {
  return scrollPositions.has(entry) ? scrollPositions.get(entry) : null;
}

/** Notes where the current history entry is scrolled to. */
export function rememberScroll(scrollY) {
  scrollPositions.delete(entry);
  scrollPositions.set(entry, scrollY);
}

function readScrollPositions() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(SCROLL_KEY));
    return Array.isArray(saved) ? saved : [];
  } catch {
    return [];
  }
}

function keepScrollPositions() {
  const recent = [...scrollPositions].slice(-KEPT_SCROLL_POSITIONS);
  sessionStorage.setItem(SCROLL_KEY, JSON.stringify(recent));
}

function currentEntryKey() {
  if (history.state && typeof history.state.key === "string") {
    return history.state.key;
  }
  const key = newEntryKey();
  history.replaceState({ ...history.state, key }, "");
  return key;
}

function newEntryKey() {
  return `${Date.now().toString(36)}.${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * A path inside the app to return to after logging in; anything else (other
 * sites, the login pages themselves) becomes null.
 */
export function safeReturnPath(value) {
  if (!value || !value.startsWith("/") || value.startsWith("//")) {
    return null;
  }
  const url = new URL(value, location.origin);
  if (url.origin !== location.origin) {
    return null;
  }
  const name = ROUTES[url.pathname];
  if (!name || name === "login" || name === "register") {
    return null;
  }
  return url.pathname + url.search;
}

/** The login page's path, with where to return to afterwards. */
export function loginPath({ next = null, reason = null } = {}) {
  const params = new URLSearchParams();
  if (next) {
    params.set("next", next);
  }
  if (reason) {
    params.set("reason", reason);
  }
  const query = params.toString();
  return query ? `/login?${query}` : "/login";
}

function announceRoute() {
  const route = currentRoute();
  for (const listener of routeListeners) {
    listener(route);
  }
}

entry = currentEntryKey();
history.scrollRestoration = "manual";
window.addEventListener("popstate", () => {
  entry = currentEntryKey();
  announceRoute();
});
// Kept across a reload, which starts the app afresh on the same entry.
window.addEventListener("pagehide", keepScrollPositions);

// Searches

/** The search a URL describes, with every unknown value set to its default. */
export function parseSearch(params) {
  const mediaType = params.get("media_type") === "video" ? "video" : "image";
  const colors = (params.get("colors") || "")
    .split(",")
    .filter((color) => COLORS.includes(color));
  const page = Number.parseInt(params.get("page") || "1", 10);

  return {
    media_type: mediaType,
    q: (params.get("q") || "").slice(0, 100),
    image_type: oneOf(params.get("image_type"), IMAGE_TYPES),
    video_type: oneOf(params.get("video_type"), VIDEO_TYPES),
    orientation: oneOf(params.get("orientation"), ORIENTATIONS),
    category: oneOf(params.get("category"), ["", ...CATEGORIES]),
    colors: COLORS.filter((color) => colors.includes(color)),
    order: oneOf(params.get("order"), ORDERS),
    safesearch: params.get("safesearch") === "true",
    editors_choice: params.get("editors_choice") === "true",
    page: Number.isSafeInteger(page) ? Math.min(Math.max(page, 1), MAX_PAGE) : 1,
  };
}

/** The app path of a search: only what differs from the defaults. */
export function searchPath(search) {
  const params = new URLSearchParams();
  if (search.media_type === "video") {
    params.set("media_type", "video");
  }
  for (const [name, value] of Object.entries(searchParams(search))) {
    params.set(name, Array.isArray(value) ? value.join(",") : String(value));
  }
  if (search.page > 1) {
    params.set("page", String(search.page));
  }
  const query = params.toString();
  return query ? `/search?${query}` : "/search";
}

/** The API parameters of a search, without paging: only the non-defaults. */
export function searchParams(search) {
  const isImage = search.media_type === "image";
  const params = {};
  if (search.q.trim()) {
    params.q = search.q.trim();
  }
  if (isImage && search.image_type !== "all") {
    params.image_type = search.image_type;
  }
  if (!isImage && search.video_type !== "all") {
    params.video_type = search.video_type;
  }
  if (isImage && search.orientation !== "all") {
    params.orientation = search.orientation;
  }
  if (search.category) {
    params.category = search.category;
  }
  if (isImage && search.colors.length > 0) {
    params.colors = search.colors;
  }
  if (search.order !== "popular") {
    params.order = search.order;
  }
  if (search.safesearch) {
    params.safesearch = "true";
  }
  if (search.editors_choice) {
    params.editors_choice = "true";
  }
  return params;
}

/** How many filters of a search differ from their defaults. */
export function activeFilterCount(search) {
  const { q, colors, ...filters } = searchParams(search);
  return Object.keys(filters).length + (colors ? colors.length : 0);
}

/** Whether two searches ask for the same results (the page aside). */
export function sameSearch(a, b) {
  return searchPath({ ...a, page: 1 }) === searchPath({ ...b, page: 1 });
}

function oneOf(value, allowed) {
  return allowed.includes(value) ? value : allowed[0];
}

// Lists that grow as the person scrolls

/**
 * The items of a search or of the favorites shown so far. Pixabay's results
 * can shift between two page requests, so an item seen before is dropped
 * rather than shown twice.
 */
export class Feed {
  constructor(first) {
    this.next = first;
    this.done = false;
    this.pages = 0;
    this.seen = new Set();
    this.size = 0;
  }

  /** Takes one page; returns only the items not seen before. */
  add(items, next) {
    const fresh = items.filter((item) => !this.seen.has(itemKey(item)));
    for (const item of fresh) {
      this.seen.add(itemKey(item));
    }
    this.size += fresh.length;
    this.pages += 1;
    this.next = next;
    this.done = next === null || items.length === 0;
    return fresh;
  }

  /** Forgets an item the person removed. */
  remove(item) {
    if (this.seen.delete(itemKey(item))) {
      this.size -= 1;
    }
  }
}

/** A key naming one media item across images and videos. */
export function itemKey(media) {
  return `${media.media_type}:${media.id}`;
}

// Favorite requests in flight, one at most per item: a second click while
// one is on its way is ignored, so two requests never race each other.
const favoritesInFlight = new Set();

/** Claims the right to send a favorite request; false if one is in flight. */
export function beginFavoriteRequest(media) {
  const key = itemKey(media);
  if (favoritesInFlight.has(key)) {
    return false;
  }
  favoritesInFlight.add(key);
  return true;
}

/** Releases the claim of `beginFavoriteRequest`. */
export function endFavoriteRequest(media) {
  favoritesInFlight.delete(itemKey(media));
}
