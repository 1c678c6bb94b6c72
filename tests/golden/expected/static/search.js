// The search page: drives Pagefind's JS API. The state lives in the URL:
//   /search/?q=drones&topic=energy-grid&topic=aid&sort=newest
// Titles and meta are inserted as text; only <mark> survives from an excerpt.

const PAGE_SIZE = 10;
const TYPING_DELAY_MS = 200;
const SORTS = { "": null, newest: { date: "desc" }, oldest: { date: "asc" } };

const root = document.getElementById("search");
const config = JSON.parse(document.getElementById("search-config").textContent);
const topicNames = new Map(Object.entries(config.topics)); // slug -> name
const form = root.querySelector("form");
const input = document.getElementById("search-q");
const sortSelect = document.getElementById("search-sort");
const topicBoxes = [...form.querySelectorAll('input[name="topic"]')];
const topicFieldset = form.querySelector(".search-topics");
const statusLine = document.getElementById("search-status");
const resultList = document.getElementById("search-results");
const moreButton = document.getElementById("search-more");
const pageTitle = document.title;

let pagefindLoad = null;
let generation = 0; // bumped by every search; a stale reply is dropped
let listing = { results: [], shown: 0, matched: false }; // the results being shown
let typingTimer = 0;

function loadPagefind() {
  pagefindLoad ??= import(config.bundlePath + "pagefind.js").then(async (pagefind) => {
    await pagefind.options({ basePath: config.bundlePath, baseUrl: config.baseUrl });
    await pagefind.init();
    await pagefind.filters(); // loads the filter chunks, so a search's counts are complete
    return pagefind;
  });
  return pagefindLoad;
}

// --- State: URL <-> form ---------------------------------------------------------------

function stateFromUrl() {
  const params = new URLSearchParams(location.search);
  const wanted = new Set(params.getAll("topic"));
  const sort = params.get("sort") ?? "";
  return {
    q: params.get("q") ?? "",
    topics: topicBoxes.filter((box) => wanted.has(box.value)).map((box) => box.value),
    sort: Object.hasOwn(SORTS, sort) ? sort : "",
  };
}

function stateFromForm() {
  return {
    q: input.value,
    topics: topicBoxes.filter((box) => box.checked).map((box) => box.value),
    sort: sortSelect.value,
  };
}

function showState(state) {
  input.value = state.q;
  for (const box of topicBoxes) box.checked = state.topics.includes(box.value);
  sortSelect.value = state.sort;
}

function urlFor(state) {
  const params = new URLSearchParams();
  if (state.q.trim()) params.set("q", state.q.trim());
  for (const topic of state.topics) params.append("topic", topic);
  if (state.sort) params.set("sort", state.sort);
  const query = params.toString();
  return location.pathname + (query ? `?${query}` : "");
}

// One history entry per deliberate change, and one per run of typing (then replaced).
function remember(state, { typing }) {
  const url = urlFor(state);
  const sameUrl = url === location.pathname + location.search;
  if (typing && history.state?.typing) history.replaceState({ typing }, "", url);
  else if (!sameUrl) history.pushState({ typing }, "", url);
}

// --- Searching -------------------------------------------------------------------------

async function run(state) {
  const ticket = ++generation;
  const pagefind = await loadPagefind();
  const q = state.q.trim();
  document.title = q ? `“${q}” · ${pageTitle}` : pageTitle;
  // Counts ignore the topic choice: topics are OR-ed, so a count is what checking one gives.
  // Without words that is the whole index (Pagefind's totals are empty for a filter-only search).
  const wholeIndex = q ? null : (await pagefind.filters()).topic ?? {};
  if (!q && !state.topics.length) {
    if (ticket === generation) showIdle(wholeIndex);
    return;
  }
  const filters = state.topics.length ? { topic: { any: state.topics } } : {};
  // Without words there is no relevance to order by: list newest first.
  const sort = SORTS[state.sort] ?? (q ? {} : SORTS.newest);
  const search = await pagefind.search(q || null, { filters, sort });
  if (ticket !== generation) return;
  listing = { results: search.results, shown: 0, matched: Boolean(q) };
  const page = await nextPage(ticket);
  if (!page) return;
  showCounts(wholeIndex ?? search.totalFilters.topic ?? {}, Boolean(q));
  resultList.replaceChildren(...page);
  moreButton.hidden = listing.shown >= listing.results.length;
  statusLine.textContent = describe(listing.results.length, q, state.topics);
}

async function nextPage(ticket) {
  const { results, shown, matched } = listing;
  const batch = results.slice(shown, shown + PAGE_SIZE);
  const data = await Promise.all(batch.map((result) => result.data()));
  if (ticket !== generation) return null;
  listing.shown += batch.length;
  return data.map((item) => renderResult(item, matched));
}

async function showMore() {
  moreButton.disabled = true; // one page at a time, in order
  const page = await nextPage(generation);
  moreButton.disabled = false;
  if (!page) return;
  resultList.append(...page);
  moreButton.hidden = listing.shown >= listing.results.length;
  page[0]?.querySelector("a")?.focus();
}

function showIdle(counts) {
  listing = { results: [], shown: 0, matched: false };
  showCounts(counts, false);
  resultList.replaceChildren();
  moreButton.hidden = true;
  statusLine.textContent = "";
}

function showCounts(counts, onlyMatching) {
  let visible = 0;
  for (const box of topicBoxes) {
    const count = counts[box.value] ?? 0;
    const item = box.closest("li");
    item.querySelector(".search-count").textContent = `(${count})`;
    item.hidden = onlyMatching && count === 0 && !box.checked;
    if (!item.hidden) visible += 1;
  }
  if (topicFieldset) topicFieldset.hidden = visible === 0;
}

function describe(count, q, topics) {
  const words = q ? ` for “${q}”` : "";
  const names = topics.map(topicName);
  const within = names.length ? ` in ${names.join(" or ")}` : "";
  if (count === 0) return `No results${words}${within}. Try fewer or different words.`;
  return `${count} result${count === 1 ? "" : "s"}${words}${within}`;
}

// --- Rendering: text nodes only, except <mark> ------------------------------------------

function topicName(slug) {
  return topicNames.get(slug) ?? slug;
}

function element(tag, className, text, ...children) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  node.append(...children);
  return node;
}

// `matched`: the result answers words, so its excerpt shows them; else show its summary.
function renderResult(data, matched) {
  const item = element("li", "search-result");
  const heading = element("h2", "search-result-title");
  const link = element("a", "", data.meta?.title || data.url);
  link.href = data.url;
  heading.append(link);
  item.append(heading);
  if (data.meta?.date) {
    const when = element("time", "", data.meta.when || data.meta.date);
    when.dateTime = data.meta.date;
    item.append(element("p", "search-result-date", undefined, when));
  }
  const topics = data.filters?.topic ?? [];
  if (topics.length) {
    const list = element("ul", "topics");
    list.setAttribute("aria-label", "Topics");
    for (const slug of topics) {
      list.append(element("li", "", undefined, element("span", "topic", topicName(slug))));
    }
    item.append(list);
  }
  const excerpt = element("p", "search-result-excerpt");
  if (!matched && data.meta?.summary) excerpt.textContent = data.meta.summary;
  else excerpt.append(...excerptNodes(data.excerpt ?? ""));
  item.append(excerpt);
  return item;
}

// Parse Pagefind's excerpt in an inert document; keep its text and its <mark>s, nothing else.
function excerptNodes(html) {
  const parsed = new DOMParser().parseFromString(html, "text/html");
  return [...parsed.body.childNodes].map((node) =>
    node.nodeName === "MARK" ? element("mark", "", node.textContent)
      : document.createTextNode(node.textContent));
}

// --- Events ----------------------------------------------------------------------------

function searchNow({ typing }) {
  clearTimeout(typingTimer);
  const state = stateFromForm();
  remember(state, { typing });
  run(state).catch(unavailable);
}

input.addEventListener("input", () => {
  clearTimeout(typingTimer);
  typingTimer = setTimeout(() => searchNow({ typing: true }), TYPING_DELAY_MS);
});
form.addEventListener("submit", (event) => {
  event.preventDefault();
  searchNow({ typing: false });
});
for (const box of topicBoxes) box.addEventListener("change", () => searchNow({ typing: false }));
sortSelect.addEventListener("change", () => searchNow({ typing: false }));
moreButton.addEventListener("click", showMore);
window.addEventListener("popstate", () => {
  clearTimeout(typingTimer);
  const state = stateFromUrl();
  showState(state);
  run(state).catch(unavailable);
});

function unavailable(error) {
  console.error("search:", error);
  root.hidden = true;
  document.getElementById("search-unavailable").hidden = false;
}

function start() {
  const state = stateFromUrl();
  showState(state);
  root.hidden = false;
  if (!state.q) input.focus();
  run(state).catch(unavailable);
}

start();
