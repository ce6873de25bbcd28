// Everything that touches the DOM. Pages are cloned from the <template>s in
// index.html, and text from users or from Pixabay (tags, author names, the
// API's messages) is only ever set with textContent or as an attribute
// value, never parsed as HTML.

import { altText, displayPicture, formatDuration, hoverRendition } from "./media.js";

const main = document.getElementById("main");
const messages = document.getElementById("messages");
const MESSAGE_MS = 6000;
const SHOWN_TAGS = 4;
let firstRender = true;

/**
 * Wires the parts of the page that outlive every view: links handled by the
 * app (`data-link`), the logout button, the connection state and scrolling.
 */
export function init({ onNavigate, onLogout, onOnline, onScroll }) {
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-link]");
    if (!link || event.defaultPrevented || event.button !== 0) {
      return;
    }
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    event.preventDefault();
    onNavigate(link.getAttribute("href"));
  });
  document.getElementById("logout").addEventListener("click", onLogout);

  setOffline(!navigator.onLine);
  window.addEventListener("offline", () => setOffline(true));
  window.addEventListener("online", () => {
    setOffline(false);
    onOnline();
  });
  window.addEventListener("scroll", onScroll, { passive: true });
}

/** Scrolls the window to `y` pixels from the top. */
export function scrollTo(y) {
  window.scrollTo(0, y);
}

/** How far the window is scrolled, in pixels. */
export function scrollPosition() {
  return window.scrollY;
}

/** Shows who is signed in, or the links to sign in. */
export function showAccount(session) {
  for (const element of document.querySelectorAll("[data-when]")) {
    const wanted = element.dataset.when === "signed-in";
    element.hidden = wanted !== Boolean(session);
  }
  document.getElementById("account-email").textContent = session
    ? session.email
    : "";
}

/** Marks the navigation link of the current page. */
export function markNavigation(routeName) {
  for (const link of document.querySelectorAll("[data-nav]")) {
    if (link.dataset.nav === routeName) {
      link.setAttribute("aria-current", "page");
    } else {
      link.removeAttribute("aria-current");
    }
  }
}

function setOffline(offline) {
  document.getElementById("offline-note").hidden = !offline;
}

/** A short message that goes away by itself; `kind` is "info" or "error". */
export function flash(text, kind = "info") {
  const message = document.createElement("p");
  message.className = `message message-${kind}`;
  message.textContent = text;
  messages.append(message);
  setTimeout(() => message.remove(), MESSAGE_MS);
}

function mount(templateId, title) {
  const content = document.getElementById(templateId).content.cloneNode(true);
  main.replaceChildren(content);
  document.title = title ? `${title} · Trove` : "Trove";

  // After a route change the new page's heading takes focus, so keyboard and
  // screen reader users start at the top of what changed.
  if (!firstRender) {
    const heading = main.querySelector("[data-focus]");
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
  }
  firstRender = false;
  return main;
}

function role(root, name) {
  return root.querySelector(`[data-role="${name}"]`);
}

// Forms

class FormView {
  constructor(root) {
    this.root = root;
    this.form = role(root, "form");
    this.formError = role(root, "form-error");
    this.submit = this.form.querySelector('[type="submit"]');
  }

  onSubmit(handler) {
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      handler(this.values());
    });
  }

  onInput(name, handler) {
    this.form.elements[name].addEventListener("input", (event) =>
      handler(event.target.value),
    );
  }

  onBlur(name, handler) {
    this.form.elements[name].addEventListener("blur", (event) =>
      handler(event.target.value),
    );
  }

  values() {
    return {
      email: this.form.elements.email.value,
      password: this.form.elements.password.value,
    };
  }

  /** Shows messages per field ({field: [message]}); focuses the first one. */
  showFieldErrors(errors, { focus = true } = {}) {
    let first = null;
    for (const [field, list] of Object.entries(errors)) {
      const input = this.form.elements[field];
      const slot = this.form.querySelector(`[data-error-for="${field}"]`);
      if (!input || !slot) {
        continue;
      }
      slot.replaceChildren(
        ...list.map((text) => {
          const line = document.createElement("span");
          line.textContent = text;
          return line;
        }),
      );
      input.setAttribute("aria-invalid", list.length > 0 ? "true" : "false");
      first = first || (list.length > 0 ? input : null);
    }
    if (focus && first) {
      first.focus();
    }
  }

  clearFieldError(field) {
    this.showFieldErrors({ [field]: [] }, { focus: false });
  }

  showFormError(text) {
    this.formError.textContent = text;
    this.formError.hidden = !text;
  }

  clearErrors() {
    this.showFormError("");
    for (const slot of this.form.querySelectorAll("[data-error-for]")) {
      this.clearFieldError(slot.dataset.errorFor);
    }
  }

  setBusy(busy) {
    this.submit.disabled = busy;
    this.form.setAttribute("aria-busy", String(busy));
  }
}

/** The login page; `note` is an optional sentence shown above the form. */
export function showLogin({ note, switchHref }) {
  const root = mount("tpl-login", "Log in");
  const noteElement = role(root, "note");
  noteElement.textContent = note || "";
  noteElement.hidden = !note;
  role(root, "switch").setAttribute("href", switchHref);
  return new FormView(root);
}

class RegisterView extends FormView {
  constructor(root) {
    super(root);
    this.checklist = role(root, "checklist");
    role(root, "show-password").addEventListener("change", (event) => {
      this.form.elements.password.type = event.target.checked ? "text" : "password";
    });
  }

  /**
   * Ticks the password rules: [{code, label, met}]. With `strict`, as after
   * a refused submit, the rules not met yet are marked as errors.
   */
  showChecklist(rules, { strict = false } = {}) {
    this.checklist.dataset.strict = String(strict);
    this.checklist.replaceChildren(
      ...rules.map((rule) => {
        const item = document.createElement("li");
        item.dataset.rule = rule.code;
        item.dataset.met = String(rule.met);
        const state = document.createElement("span");
        state.className = "visually-hidden";
        state.textContent = rule.met ? "Done: " : "Missing: ";
        item.append(state, rule.label);
        return item;
      }),
    );
  }
}

/** The registration page. */
export function showRegister({ switchHref }) {
  const root = mount("tpl-register", "Register");
  role(root, "switch").setAttribute("href", switchHref);
  return new RegisterView(root);
}

/** The page for an address that is no page of the app. */
export function showNotFound() {
  mount("tpl-not-found", "Page not found");
}

// Search

const FILTER_DEFAULTS = {
  image_type: "all",
  video_type: "all",
  orientation: "all",
  category: "",
  colors: [],
  order: "popular",
  safesearch: false,
  editors_choice: false,
};

class SearchView {
  constructor(root, { categories, colors }) {
    this.form = role(root, "form");
    this.filters = role(root, "filters");
    this.filtersToggle = role(root, "filters-toggle");
    this.filterCount = role(root, "filter-count");
    this.filtersToggle.addEventListener("click", () => {
      this.showFilters(this.filters.hidden);
    });
    this.clear = role(root, "clear");
    fillOptions(role(root, "categories"), categories);
    fillColors(role(root, "colors"), colors);
    this.results = new ResultsView(role(root, "results"));
  }

  /**
   * Calls `handler(fields)` when the person searches: on submit, and at once
   * when they switch media or change a filter.
   */
  onSearch(handler) {
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      handler(this.fields());
    });
    this.form.addEventListener("change", (event) => {
      if (event.target.name !== "q") {
        this.applyMedia(this.fields().media_type);
        handler(this.fields());
      }
    });
    this.clear.addEventListener("click", () => {
      const { q, media_type: mediaType } = this.fields();
      this.setFields({ ...FILTER_DEFAULTS, q, media_type: mediaType });
      handler(this.fields());
    });
  }

  /** Fills the form from a search, as on load or after back and forward. */
  setFields(search) {
    const elements = this.form.elements;
    elements.q.value = search.q;
    for (const radio of this.form.querySelectorAll('[name="media_type"]')) {
      radio.checked = radio.value === search.media_type;
    }
    for (const name of ["image_type", "video_type", "orientation", "category",
      "order"]) {
      elements[name].value = search[name];
    }
    elements.safesearch.checked = search.safesearch;
    elements.editors_choice.checked = search.editors_choice;
    for (const box of this.form.querySelectorAll('[name="colors"]')) {
      box.checked = search.colors.includes(box.value);
    }
    this.applyMedia(search.media_type);
  }

  /** The form's values, in the shape of a search without its page. */
  fields() {
    const elements = this.form.elements;
    const checked = this.form.querySelector('[name="media_type"]:checked');
    return {
      media_type: checked ? checked.value : "image",
      q: elements.q.value,
      image_type: elements.image_type.value,
      video_type: elements.video_type.value,
      orientation: elements.orientation.value,
      category: elements.category.value,
      colors: [...this.form.querySelectorAll('[name="colors"]:checked')].map(
        (box) => box.value,
      ),
      order: elements.order.value,
      safesearch: elements.safesearch.checked,
      editors_choice: elements.editors_choice.checked,
    };
  }

  /** Shows the filters that fit images or videos and hides the others. */
  applyMedia(mediaType) {
    for (const element of this.form.querySelectorAll("[data-media]")) {
      const fits = element.dataset.media === mediaType;
      element.hidden = !fits;
      for (const control of element.querySelectorAll("input, select")) {
        control.disabled = !fits;
      }
    }
  }

  /** Opens or closes the filter panel. */
  showFilters(open) {
    this.filters.hidden = !open;
    this.filtersToggle.setAttribute("aria-expanded", String(open));
  }

  /** Shows how many filters are set next to the Filters toggle. */
  showFilterCount(count) {
    this.filterCount.textContent = count > 0 ? `(${count})` : "";
  }

  focusKeywords() {
    this.form.elements.q.focus();
  }
}

function fillOptions(select, values) {
  for (const value of values) {
    const option = document.createElement("option");
    option.value = value;
    option.textContent = capitalise(value);
    select.append(option);
  }
}

function fillColors(fieldset, colors) {
  const list = document.createElement("div");
  list.className = "color-list";
  for (const color of colors) {
    const label = document.createElement("label");
    label.className = "color";
    const box = document.createElement("input");
    box.type = "checkbox";
    box.name = "colors";
    box.value = color;
    const swatch = document.createElement("span");
    swatch.className = `swatch swatch-${color}`;
    swatch.setAttribute("aria-hidden", "true");
    label.append(box, swatch, capitalise(color));
    list.append(label);
  }
  fieldset.append(list);
}

function capitalise(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The search page, with its form filled from `search`. */
export function showSearch(search, options) {
  const root = mount("tpl-search", search.q ? `Search: ${search.q}` : "Search");
  const view = new SearchView(root, options);
  view.setFields(search);
  return view;
}

/** The favorites page, with `mediaType` ("" for all) as the chosen tab. */
export function showFavorites(mediaType) {
  const root = mount("tpl-favorites", "Favorites");
  for (const tab of root.querySelectorAll("[data-tab]")) {
    if (tab.dataset.tab === mediaType) {
      tab.setAttribute("aria-current", "page");
    }
  }
  return { results: new ResultsView(role(root, "results")) };
}

// Results: a grid that grows, with its summary, notices and "Load more"

export class ResultsView {
  constructor(container) {
    container.append(document.getElementById("tpl-results").content.cloneNode(true));
    this.container = container;
    this.summary = role(container, "summary");
    this.demo = role(container, "demo");
    this.notice = role(container, "notice");
    this.noticeText = role(container, "notice-text");
    this.retry = role(container, "retry");
    this.grid = role(container, "grid");
    this.loading = role(container, "loading");
    this.more = role(container, "more");
    this.end = role(container, "end");
    this.sentinel = role(container, "sentinel");
    this.countdown = null;
    this.observer = null;
    this.moreHandler = () => {};
    this.more.addEventListener("click", () => this.moreHandler());
    this.retry.addEventListener("click", () => {
      this.clearError();
      this.moreHandler();
    });
  }

  /** Empties the grid and every note, for a new list. */
  reset() {
    this.grid.replaceChildren();
    this.setSummary("");
    this.setDemo(false);
    this.clearError();
    this.setEnd(null);
  }

  setSummary(text) {
    this.summary.textContent = text;
  }

  setDemo(demo) {
    this.demo.hidden = !demo;
  }

  /** Adds a card per item; `options` go to `createCard`. */
  append(items, options) {
    const cards = items.map((media) => createCard(media, options));
    this.grid.append(...cards.map((card) => card.element));
    return cards;
  }

  cardCount() {
    return this.grid.children.length;
  }

  setLoading(loading) {
    this.loading.hidden = !loading;
    this.container.setAttribute("aria-busy", String(loading));
    if (loading) {
      this.more.hidden = true;
    }
  }

  /**
   * Shows the end of the list: "more" (the Load more button), or a sentence
   * when nothing more will come; null shows neither.
   */
  setEnd(state) {
    this.more.hidden = state !== "more";
    this.end.hidden = typeof state !== "string" || state === "more";
    this.end.textContent = this.end.hidden ? "" : state;
  }

  /** Calls `handler` on Load more and on Try again. */
  onMore(handler) {
    this.moreHandler = handler;
  }

  /**
   * Calls `handler` whenever the end of the grid comes near the viewport.
   * Without IntersectionObserver the Load more button remains the way on.
   */
  watchEnd(handler) {
    if (this.observer) {
      this.observer.disconnect();
    }
    if (!("IntersectionObserver" in window)) {
      return;
    }
    this.observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) {
          handler();
        }
      },
      { rootMargin: "0px 0px 600px 0px" },
    );
    this.observer.observe(this.sentinel);
  }

  /** Asks again whether the end is in view, as after a page was added. */
  recheckEnd() {
    if (this.observer) {
      this.observer.unobserve(this.sentinel);
      this.observer.observe(this.sentinel);
    }
  }

  /**
   * Shows a problem with a Try again button. With `retryAfter` seconds the
   * button waits and the text counts down.
   */
  showError(text, retryAfter = null) {
    this.clearError();
    this.notice.hidden = false;
    this.setEnd(null);
    if (!retryAfter) {
      this.noticeText.textContent = text;
      this.retry.disabled = false;
      return;
    }

    let left = retryAfter;
    const tick = () => {
      this.noticeText.textContent =
        left > 0 ? `${text} Try again in ${seconds(left)}.` : text;
      this.retry.disabled = left > 0;
      left -= 1;
      if (left < 0) {
        clearInterval(this.countdown);
        this.countdown = null;
      }
    };
    tick();
    this.countdown = setInterval(tick, 1000);
  }

  clearError() {
    clearInterval(this.countdown);
    this.countdown = null;
    this.notice.hidden = true;
    this.noticeText.textContent = "";
  }

  hasError() {
    return !this.notice.hidden;
  }

  dispose() {
    clearInterval(this.countdown);
    if (this.observer) {
      this.observer.disconnect();
      this.observer = null;
    }
  }
}

function seconds(count) {
  return count === 1 ? "1 second" : `${count} seconds`;
}

// Cards

/**
 * A card for one image or video. `onFavorite(media, card)` is called when
 * the heart is pressed. Returns {element, setFavorite, setBusy, hide, show,
 * remove}.
 */
export function createCard(media, { onFavorite }) {
  const element = document.getElementById("tpl-card").content.firstElementChild
    .cloneNode(true);
  element.dataset.mediaType = media.media_type;
  element.dataset.mediaId = String(media.id);

  role(element, "media-link").href = media.page_url;
  role(element, "page-link").href = media.page_url;
  fillPicture(element, media);
  fillAuthor(element, media.author);
  // The alternative text has every tag; the card shows the first few.
  role(element, "tags").textContent = media.tags.slice(0, SHOWN_TAGS).join(", ");

  const card = {
    element,
    setFavorite(pressed) {
      favorite.setAttribute("aria-pressed", String(pressed));
    },
    setBusy(busy) {
      favorite.setAttribute("aria-busy", String(busy));
    },
    hide() {
      element.hidden = true;
    },
    show() {
      element.hidden = false;
    },
    remove() {
      element.remove();
    },
    position() {
      return [...element.parentElement.children].indexOf(element);
    },
  };
  const favorite = role(element, "favorite");
  card.setFavorite(media.is_favorite);
  favorite.addEventListener("click", () => onFavorite(media, card));

  if (media.media_type === "video") {
    addHoverPlayback(element, media);
  }
  return card;
}

function fillPicture(element, media) {
  const picture = displayPicture(media);
  const img = role(element, "picture");
  img.alt = altText(media);
  if (picture) {
    img.src = picture.url;
    if (picture.width && picture.height) {
      img.width = picture.width;
      img.height = picture.height;
    }
  } else {
    img.hidden = true;
    element.querySelector(".card-media").classList.add("card-media-empty");
  }

  // A display size can stop working before its stated expiry; the preview
  // is permanent.
  if (media.preview && picture && picture.url !== media.preview.url) {
    img.addEventListener(
      "error",
      () => {
        img.src = media.preview.url;
      },
      { once: true },
    );
  }

  const duration = formatDuration(media.duration);
  if (duration) {
    const badge = role(element, "badge");
    badge.textContent = duration;
    badge.hidden = false;
  }
}

function fillAuthor(element, author) {
  role(element, "author").textContent = author.name
    ? `by ${author.name}`
    : "by an unknown author";
  if (author.avatar_url) {
    const avatar = role(element, "avatar");
    avatar.src = author.avatar_url;
    avatar.hidden = false;
    avatar.addEventListener("error", () => {
      avatar.hidden = true;
    });
  }
}

/** Plays the smallest rendition, muted, while the card is hovered or focused. */
function addHoverPlayback(element, media) {
  const rendition = hoverRendition(media);
  if (!rendition) {
    return;
  }
  const frame = element.querySelector(".card-media");
  let video = null;

  const start = () => {
    if (video) {
      return;
    }
    video = document.createElement("video");
    video.className = "card-video";
    video.muted = true;
    video.defaultMuted = true;
    video.loop = true;
    video.playsInline = true;
    video.preload = "auto";
    video.setAttribute("aria-hidden", "true");
    if (rendition.poster_url) {
      video.poster = rendition.poster_url;
    }
    video.src = rendition.url;
    frame.append(video);
    video.play().catch(() => {
      // Autoplay refused or the file failed: the poster stays in view.
    });
  };
  const stop = () => {
    if (!video) {
      return;
    }
    video.pause();
    video.removeAttribute("src");
    video.load();
    video.remove();
    video = null;
  };

  element.addEventListener("pointerenter", start);
  element.addEventListener("pointerleave", () => {
    if (!element.contains(document.activeElement)) {
      stop();
    }
  });
  element.addEventListener("focusin", start);
  element.addEventListener("focusout", (event) => {
    if (!element.contains(event.relatedTarget) && !element.matches(":hover")) {
      stop();
    }
  });
}

/** Moves focus into the list after a card was removed, so it is not lost. */
export function focusAfterRemoval(grid, index) {
  const cards = [...grid.children].filter((card) => !card.hidden);
  const target = cards[Math.min(index, cards.length - 1)];
  if (target) {
    role(target, "favorite").focus();
  }
}
