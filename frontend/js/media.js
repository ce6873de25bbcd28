// Which of a media item's pictures and videos to show. Pixabay's display
// sizes live on temporary URLs (24 hours), so a size is used only while it is
// valid; the permanent preview is the fallback, as it is for favorites saved
// long ago.

// A size about to expire is skipped: the page may stay open a while.
const EXPIRY_MARGIN_MS = 5 * 60 * 1000;
const HOVER_QUALITIES = ["tiny", "small", "medium", "large"];

/**
 * The picture to show for an item: {url, width, height}, or null when it has
 * none. `now` is a time in milliseconds, for tests.
 */
export function displayPicture(media, now = Date.now()) {
  const web = (media.sizes || []).find(
    (size) => size.name === "web" && isValid(size, now),
  );
  if (web) {
    return { url: web.url, width: web.width, height: web.height };
  }
  if (media.preview) {
    return media.preview;
  }

  const poster = (media.renditions || []).find((rendition) => rendition.poster_url);
  return poster
    ? { url: poster.poster_url, width: poster.width, height: poster.height }
    : null;
}

/** The smallest rendition of a video, the one played on hover; or null. */
export function hoverRendition(media) {
  const renditions = media.renditions || [];
  for (const quality of HOVER_QUALITIES) {
    const found = renditions.find((r) => r.quality === quality && r.url);
    if (found) {
      return found;
    }
  }
  return null;
}

/** The alternative text of an item's picture, made from its tags. */
export function altText(media) {
  const noun = media.media_type === "video" ? "Video" : "Image";
  if (!media.tags || media.tags.length === 0) {
    return `${noun} without tags`;
  }
  return `${noun}: ${media.tags.join(", ")}`;
}

/** A video's duration as m:ss, or an empty string. */
export function formatDuration(seconds) {
  if (typeof seconds !== "number" || seconds <= 0) {
    return "";
  }
  const minutes = Math.floor(seconds / 60);
  const rest = String(seconds % 60).padStart(2, "0");
  return `${minutes}:${rest}`;
}

function isValid(size, now) {
  const expires = Date.parse(size.expires_at);
  return Number.isFinite(expires) && expires - now > EXPIRY_MARGIN_MS;
}
