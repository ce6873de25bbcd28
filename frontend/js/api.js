// The one module that talks to Trove's API. Every answer that is not 2xx
// becomes an ApiError, whatever its body (a problem document from the API, an
// HTML page from a proxy, nothing at all), and so does a request that got no
// answer. The base is same-origin, so the app needs no configuration.

const BASE = "/api/v1";
const REQUEST_TIMEOUT_MS = 30_000;
export const MEDIA_TYPES = ["image", "video"];

// Codes for answers that carry no problem document, such as a proxy's own
// error page when the API is down.
const STATUS_CODES = {
  400: "bad_request",
  401: "invalid_token",
  404: "not_found",
  413: "payload_too_large",
  429: "rate_limited",
  502: "service_unavailable",
  503: "service_unavailable",
  504: "service_unavailable",
};

/** Any failed call: `code` is the API's problem code or one of our own. */
export class ApiError extends Error {
  constructor({ status, code, message, fieldErrors = [], retryAfter = null }) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.fieldErrors = fieldErrors;
    this.retryAfter = retryAfter;
  }

  /** The messages of the field errors for one body or query field. */
  messagesFor(field) {
    return this.fieldErrors
      .filter((error) => error.field === field)
      .map((error) => error.message);
  }
}

/** Registers a user; resolves to the new User. */
export function createUser(email, password) {
  return request("POST", "/users", { body: { email, password } });
}

/** Logs in; resolves to {access_token, token_type, expires_in}. */
export function createToken(email, password) {
  return request("POST", "/tokens", { body: { email, password } });
}

/** Revokes the token on the server: it is refused from then on. */
export function deleteCurrentToken(token) {
  return request("DELETE", "/tokens/current", { token });
}

/** The user the token belongs to. */
export function getCurrentUser(token) {
  return request("GET", "/users/me", { token });
}

/**
 * One page of a search. `params` holds only parameters the API knows; empty
 * and absent values are left out.
 */
export function searchMedia(token, mediaType, params, { signal } = {}) {
  const path = mediaType === "video" ? "/videos" : "/images";
  return request("GET", path + queryString(params), { token, signal });
}

/** Marks an item as a favorite; resolves to the Favorite. */
export function addFavorite(token, mediaType, mediaId) {
  return request("PUT", favoritePath(mediaType, mediaId), { token });
}

/** Unmarks a favorite; resolves to null. */
export function removeFavorite(token, mediaType, mediaId) {
  return request("DELETE", favoritePath(mediaType, mediaId), { token });
}

/** One page of favorites, newest first: {items, next_cursor}. */
export function listFavorites(token, { mediaType, cursor, limit }, { signal } = {}) {
  const params = { media_type: mediaType, cursor, limit };
  return request("GET", "/users/me/favorites" + queryString(params), {
    token,
    signal,
  });
}

function favoritePath(mediaType, mediaId) {
  if (!MEDIA_TYPES.includes(mediaType) || !Number.isSafeInteger(mediaId)) {
    throw new TypeError(`not a media item: ${mediaType} ${mediaId}`);
  }
  return `/users/me/favorites/${mediaType}/${mediaId}`;
}

function queryString(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === "") {
      continue;
    }
    search.set(name, Array.isArray(value) ? value.join(",") : String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

async function request(method, path, { token, body, signal } = {}) {
  const headers = { Accept: "application/json, application/problem+json" };
  if (token) {
    headers.Authorization = `Bearer ${token}`;
  }
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
  }

  const response = await send(BASE + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  });

  if (!response.ok) {
    throw await errorFrom(response);
  }
  if (response.status === 204) {
    return null;
  }
  try {
    return await response.json();
  } catch {
    throw new ApiError({
      status: response.status,
      code: "malformed_response",
      message: "Trove sent an answer that could not be read.",
    });
  }
}

async function send(url, init) {
  const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
  try {
    return await fetch(url, { ...init, signal, credentials: "same-origin" });
  } catch (error) {
    if (init.signal && init.signal.aborted) {
      throw new ApiError({ status: 0, code: "aborted", message: "Cancelled." });
    }
    if (timeout.aborted) {
      throw new ApiError({
        status: 0,
        code: "timeout",
        message: "Trove did not answer in time.",
      });
    }
    throw new ApiError({
      status: 0,
      code: "network_error",
      message: "Trove cannot be reached. Check your connection.",
    });
  }
}

async function errorFrom(response) {
  const retryAfter = parseRetryAfter(response.headers.get("Retry-After"));
  const type = response.headers.get("Content-Type") || "";
  let problem = null;
  if (type.includes("json")) {
    try {
      problem = await response.json();
    } catch {
      problem = null;
    }
  }

  if (problem && typeof problem.code === "string") {
    return new ApiError({
      status: response.status,
      code: problem.code,
      message: problem.detail || problem.title || `HTTP ${response.status}`,
      fieldErrors: Array.isArray(problem.errors) ? problem.errors : [],
      retryAfter,
    });
  }
  return new ApiError({
    status: response.status,
    code: STATUS_CODES[response.status] || "internal_error",
    message: `Trove answered with an error (HTTP ${response.status}).`,
    retryAfter,
  });
}

/** Seconds to wait from a Retry-After header (seconds or a date), or null. */
function parseRetryAfter(value) {
  if (!value) {
    return null;
  }
  if (/^\d+$/.test(value.trim())) {
    return Number(value.trim());
  }
  const date = Date.parse(value);
  if (Number.isNaN(date)) {
    return null;
  }
  return Math.max(1, Math.ceil((date - Date.now()) / 1000));
}
