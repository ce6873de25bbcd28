// The entry point: listens to the person and to the router, asks the API,
// keeps state up to date and tells the views what to show. It touches no DOM
// itself and sends no request itself.

import * as api from "./api.js";
import { emailProblems, passwordReport } from "./rules.js";
import * as state from "./state.js";
import * as views from "./views.js";

const LOGIN_NOTES = {
  expired: "Your session has ended. Log in again to go on where you were.",
  "logged-out": "You are logged out.",
};
const NOUNS = {
  image: ["image", "images"],
  video: ["video", "videos"],
  favorite: ["favorite", "favorites"],
};
const PIXABAY_LIMIT = 500;

let page = null;

function start() {
  views.init({
    onNavigate: (path) => state.navigate(path),
    onLogout: logOut,
    onOnline: () => {
      if (page && page.online) {
        page.online();
      }
    },
    onScroll: () => state.rememberScroll(views.scrollPosition()),
  });
  state.onRouteChange(show);
  show(state.currentRoute());
}

/** Shows the page of `route`, or sends the person where they must go first. */
function show(route) {
  let session = state.loadSession();
  let expired = false;
  if (session && state.isExpired(session)) {
    state.clearSession();
    session = null;
    expired = true;
  }
  views.showAccount(session);
  views.markNavigation(route.name);

  const next = state.safeReturnPath(route.params.get("next"));
  if (route.name === "home") {
    state.navigate("/search", { replace: true });
    return;
  }
  if (state.needsSession(route) && !session) {
    const landing = route.path === "/search";
    const reason = expired ? "expired" : null;
    state.navigate(state.loginPath({ next: landing ? null : route.path, reason }), {
      replace: true,
    });
    return;
  }
  if (session && (route.name === "login" || route.name === "register")) {
    state.navigate(next || "/search", { replace: true });
    return;
  }

  if (page && page.name === route.name && page.update) {
    page.update(route);
    return;
  }
  if (page) {
    page.dispose();
  }
  // Read before scrolling to the top, which is saved in its place.
  const scrollY = state.savedScroll();
  views.scrollTo(0);
  page = PAGES[route.name](route, session, scrollY);
}

const PAGES = {
  login: loginPage,
  register: registerPage,
  search: searchPage,
  favorites: favoritesPage,
  notfound: notFoundPage,
};

// Accounts

function loginPage(route) {
  const next = state.safeReturnPath(route.params.get("next"));
  const view = views.showLogin({
    note: LOGIN_NOTES[route.params.get("reason")],
    switchHref: withNext("/register", next),
  });

  view.onSubmit(async ({ email, password }) => {
    view.clearErrors();
    const missing = {};
    if (!email.trim()) {
      missing.email = ["Enter your email address."];
    }
    if (!password) {
      missing.password = ["Enter your password."];
    }
    if (Object.keys(missing).length > 0) {
      view.showFieldErrors(missing);
      return;
    }

    view.setBusy(true);
    try {
      await logIn(email.trim(), password, next);
    } catch (error) {
      showFormProblem(view, error);
      view.setBusy(false);
    }
  });
  return { name: "login", dispose() {} };
}

function registerPage(route) {
  const next = state.safeReturnPath(route.params.get("next"));
  const view = views.showRegister({ switchHref: withNext("/login", next) });
  const checkEmail = (email) => ({ email: emailMessages(email) });

  view.showChecklist(passwordReport("").checklist);
  view.onInput("password", (password) => {
    view.showChecklist(passwordReport(password).checklist);
    view.clearFieldError("password");
  });
  view.onBlur("email", (email) => {
    if (email) {
      view.showFieldErrors(checkEmail(email), { focus: false });
    }
  });
  view.onInput("email", () => view.clearFieldError("email"));

  view.onSubmit(async ({ email, password }) => {
    view.clearErrors();
    const problems = { ...checkEmail(email), password: passwordMessages(password) };
    if (problems.email.length > 0 || problems.password.length > 0) {
      view.showChecklist(passwordReport(password).checklist, { strict: true });
      view.showFieldErrors(problems);
      return;
    }

    view.setBusy(true);
    try {
      await api.createUser(email, password);
      await logIn(email, password, next);
      views.flash("Welcome to Trove: your account is ready.");
    } catch (error) {
      showFormProblem(view, error);
      view.setBusy(false);
    }
  });
  return { name: "register", dispose() {} };
}

/** What to say under the password: the checklist shows which rules. */
function passwordMessages(password) {
  const { checklist, problems } = passwordReport(password);
  const messages = [];
  if (checklist.some((rule) => !rule.met)) {
    messages.push("The password does not meet every rule in the list yet.");
  }
  const listed = new Set(checklist.map((rule) => rule.code));
  for (const problem of problems) {
    if (!listed.has(problem.code)) {
      messages.push(problem.message);
    }
  }
  return messages;
}

function emailMessages(email) {
  if (!email) {
    return ["Enter your email address."];
  }
  return emailProblems(email).map((problem) => problem.message);
}

/** Gets a token, keeps it, and goes on to `next` or the search page. */
async function logIn(email, password, next) {
  const token = await api.createToken(email, password);
  const user = await api.getCurrentUser(token.access_token);
  state.saveSession(user.email, token);
  state.navigate(next || "/search", { replace: true });
}

function logOut() {
  const session = state.loadSession();
  state.clearSession();
  state.navigate(state.loginPath({ reason: "logged-out" }));
  if (session) {
    // The token is forgotten here whatever happens; revoking it on the
    // server as well keeps a copy of it from being used elsewhere.
    api.deleteCurrentToken(session.token).catch(() => {});
  }
}

/** Shows an API refusal next to the fields it names, or above the form. */
function showFormProblem(view, error) {
  if (!(error instanceof api.ApiError)) {
    throw error;
  }
  if (error.code === "email_taken") {
    view.showFieldErrors({ email: [error.message] });
    return;
  }

  const byField = {};
  const others = [];
  for (const fieldError of error.fieldErrors) {
    if (fieldError.location === "body" && ["email", "password"]
      .includes(fieldError.field)) {
      (byField[fieldError.field] ||= []).push(fieldError.message);
    } else {
      others.push(fieldError.message);
    }
  }
  if (Object.keys(byField).length > 0) {
    view.showFieldErrors(byField);
  }
  if (others.length > 0 || Object.keys(byField).length === 0) {
    const wait = error.retryAfter ? [`Try again in ${seconds(error.retryAfter)}.`] : [];
    view.showFormError([problemText(error), ...wait, ...others].join(" "));
  }
}

function seconds(count) {
  return count === 1 ? "1 second" : `${count} seconds`;
}

function withNext(path, next) {
  return next ? `${path}?${new URLSearchParams({ next })}` : path;
}

/**
 * Handles a refused token: forgets it and sends the person to log in, to
 * come back here afterwards. Returns whether `error` was such a refusal.
 */
function sessionEnded(error) {
  if (!(error instanceof api.ApiError) || error.status !== 401) {
    return false;
  }
  state.clearSession();
  const here = state.currentRoute();
  state.navigate(state.loginPath({ next: here.path, reason: "expired" }), {
    replace: true,
  });
  return true;
}

// Search

function searchPage(route, session, scrollY) {
  let search = state.parseSearch(route.params);
  const view = views.showSearch(search, {
    categories: state.CATEGORIES,
    colors: state.COLORS,
  });
  let loader = null;

  view.onSearch((fields) => {
    const wanted = { ...fields, page: 1 };
    state.navigate(state.searchPath(wanted), {
      replace: state.sameSearch(wanted, search),
    });
  });

  const run = (restoreScroll) => {
    if (loader) {
      loader.dispose();
    }
    view.showFilterCount(state.activeFilterCount(search));
    loader = new FeedLoader(view.results, {
      first: 1,
      targetPages: search.page,
      scrollY: restoreScroll,
      fetchPage: (pageNumber, signal) =>
        searchOnePage(session, search, pageNumber, signal),
      onPage: (answer, feed) => {
        view.results.setSummary(searchSummary(search, answer.total));
        view.results.setDemo(answer.source === "demo");
        state.replaceUrl(state.searchPath({ ...search, page: feed.pages }));
      },
      endText: (feed) => searchEndText(search, feed),
      cardOptions: {
        onFavorite: (media, card) => toggleFavorite(session, media, card),
      },
    });
  };
  run(scrollY);
  if (!search.q && scrollY === null) {
    view.focusKeywords();
  }

  return {
    name: "search",
    update(next) {
      search = state.parseSearch(next.params);
      view.setFields(search);
      run(null);
    },
    online: () => loader.retryIfFailed(),
    dispose: () => loader.dispose(),
  };
}

async function searchOnePage(session, search, pageNumber, signal) {
  const params = {
    ...state.searchParams(search),
    page: pageNumber,
    per_page: state.PER_PAGE,
  };
  const answer = await api.searchMedia(session.token, search.media_type, params, {
    signal,
  });
  const last = answer.links.next === null || answer.items.length === 0;
  return { items: answer.items, next: last ? null : pageNumber + 1, answer };
}

function searchSummary(search, total) {
  const [one, many] = NOUNS[search.media_type];
  const words = search.q.trim();
  if (total === 0) {
    return words
      ? `No ${many} match “${words}”. Try other words or fewer filters.`
      : `No ${many} match these filters.`;
  }
  const count = `${total} ${total === 1 ? one : many}`;
  return words ? `${count} for “${words}”` : count;
}

function searchEndText(search, feed) {
  const [, many] = NOUNS[search.media_type];
  if (feed.size >= PIXABAY_LIMIT) {
    return `That is the end: Pixabay serves at most ${PIXABAY_LIMIT} ${many} ` +
      "per search. More words or filters narrow it down.";
  }
  return `That is the end: all ${feed.size} ${many} are shown.`;
}

// Favorites

function favoritesPage(route, session, scrollY) {
  const kind = route.params.get("media_type");
  const mediaType = api.MEDIA_TYPES.includes(kind) ? kind : "";
  const { results } = views.showFavorites(mediaType);
  const [one, many] = NOUNS[mediaType || "favorite"];

  const summarise = (feed) => {
    if (feed.done && feed.size === 0) {
      results.setSummary(
        `No ${mediaType ? `${many} among your favorites` : "favorites"} yet. ` +
          "Press the heart on a search result to keep it here.",
      );
    } else if (feed.done) {
      results.setSummary(`${feed.size} ${feed.size === 1 ? one : many}, newest first`);
    } else {
      results.setSummary("Newest first");
    }
  };

  const loader = new FeedLoader(results, {
    first: null,
    scrollY,
    fetchPage: async (cursor, signal) => {
      const answer = await api.listFavorites(
        session.token,
        { mediaType: mediaType || null, cursor, limit: state.FAVORITES_LIMIT },
        { signal },
      );
      const items = answer.items.map((favorite) => ({
        ...favorite.media,
        is_favorite: true,
      }));
      return { items, next: answer.next_cursor, answer };
    },
    onPage: (answer, feed) => summarise(feed),
    endText: () => "That is the end of your favorites.",
    cardOptions: {
      onFavorite: (media, card) =>
        toggleFavorite(session, media, card, {
          onRemoved: (index) => {
            loader.feed.remove(media);
            summarise(loader.feed);
            if (loader.feed.size === 0) {
              results.setEnd(null);
            }
            views.focusAfterRemoval(results.grid, index);
          },
        }),
    },
  });

  return {
    name: "favorites",
    online: () => loader.retryIfFailed(),
    dispose: () => loader.dispose(),
  };
}

/**
 * Turns a favorite on or off at once, then asks the API; a refusal turns it
 * back with a message. With `onRemoved` the card leaves the grid when the
 * favorite is removed, and comes back if the API refuses.
 */
async function toggleFavorite(session, media, card, { onRemoved = null } = {}) {
  if (!state.beginFavoriteRequest(media)) {
    return;
  }
  const wanted = !media.is_favorite;
  const index = card.position();
  media.is_favorite = wanted;
  card.setFavorite(wanted);
  card.setBusy(true);
  if (onRemoved && !wanted) {
    card.hide();
  }

  try {
    if (wanted) {
      await api.addFavorite(session.token, media.media_type, media.id);
    } else {
      await api.removeFavorite(session.token, media.media_type, media.id);
    }
    if (onRemoved && !wanted) {
      card.remove();
      onRemoved(index);
    }
  } catch (error) {
    media.is_favorite = !wanted;
    card.setFavorite(!wanted);
    card.show();
    if (!sessionEnded(error)) {
      const action = wanted ? "add the favorite" : "remove the favorite";
      views.flash(`Could not ${action}: ${problemText(error)}`, "error");
    }
  } finally {
    card.setBusy(false);
    state.endFavoriteRequest(media);
  }
}

// Lists that load more as the person scrolls

/**
 * Fills a results view page by page: on start, when the end of the grid
 * comes into view, and on Load more. `fetchPage(cursor, signal)` resolves to
 * {items, next, answer}, where a null `next` means the last page. To restore
 * a list after reload or back, it loads `targetPages` pages at once and then
 * scrolls to `scrollY`.
 */
class FeedLoader {
  constructor(results, options) {
    this.results = results;
    this.options = options;
    this.feed = new state.Feed(options.first);
    this.targetPages = options.targetPages || 1;
    this.restoring = typeof options.scrollY === "number";
    this.aborter = new AbortController();
    this.loading = false;
    this.failed = false;
    this.disposed = false;

    results.reset();
    results.onMore(() => this.loadMore());
    results.watchEnd(() => this.loadMore());
    this.loadMore();
  }

  async loadMore() {
    if (this.loading || this.feed.done || this.disposed) {
      return;
    }
    this.loading = true;
    this.failed = false;
    this.results.clearError();
    this.results.setLoading(true);

    let page;
    try {
      page = await this.options.fetchPage(this.feed.next, this.aborter.signal);
    } catch (error) {
      this.loading = false;
      this.fail(error);
      return;
    }
    this.loading = false;
    if (this.disposed) {
      return;
    }

    this.results.setLoading(false);
    const fresh = this.feed.add(page.items, page.next);
    this.results.append(fresh, this.options.cardOptions);
    this.options.onPage(page.answer, this.feed);
    this.showEnd();
    this.continue();
  }

  continue() {
    if (this.feed.pages < this.targetPages && !this.feed.done) {
      this.loadMore();
      return;
    }
    if (this.restoring) {
      this.restoring = false;
      views.scrollTo(this.options.scrollY);
    }
    this.results.recheckEnd();
  }

  fail(error) {
    if (this.disposed || error.code === "aborted") {
      return;
    }
    this.restoring = false;
    this.results.setLoading(false);
    if (sessionEnded(error)) {
      return;
    }
    this.failed = true;
    this.results.showError(problemText(error), error.retryAfter);
  }

  showEnd() {
    if (!this.feed.done) {
      this.results.setEnd("more");
    } else if (this.feed.size === 0) {
      this.results.setEnd(null);
    } else {
      this.results.setEnd(this.options.endText(this.feed));
    }
  }

  /** Tries again after a failure, as when the connection comes back. */
  retryIfFailed() {
    if (this.failed) {
      this.loadMore();
    }
  }

  dispose() {
    this.disposed = true;
    this.aborter.abort();
    this.results.dispose();
  }
}

// Words for problems

/** A sentence that tells a person what went wrong. */
function problemText(error) {
  if (!(error instanceof api.ApiError)) {
    return "Something went wrong in Trove's page. Reload it to carry on.";
  }
  switch (error.code) {
    case "upstream_unavailable":
      return "Pixabay is not available right now.";
    case "upstream_timeout":
      return "Pixabay did not answer in time.";
    case "upstream_error":
      return "Pixabay answered with an error, so there is nothing to show.";
    case "rate_limited":
      return "There were too many attempts in a short time.";
    case "network_error":
      return navigator.onLine
        ? "Trove cannot be reached. Check your connection."
        : "You are offline. Trove will try again when the connection is back.";
    case "timeout":
    case "service_unavailable":
      return "Trove is not available right now.";
    default:
      return error.message;
  }
}

function notFoundPage() {
  views.showNotFound();
  return { name: "notfound", dispose() {} };
}

start();
