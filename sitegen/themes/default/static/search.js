// The search page: drives Pagefind's JS API. The state lives in the URL:
//   /search/?q=drones&topic=energy-grid&topic=aid&sort=newest
// Every record field is inserted as text; an excerpt keeps only the <mark>s Pagefind adds.
// The page is laid out before this runs (the form, filters with their counts, and a results
// area a screen tall), so nothing moves when results arrive; see the CSS.
//
// The index comes in date-disjoint partitions (pagefind/partitions.json, newest first), each a
// Pagefind bundle: the newest is loaded and the others merged into it (mergeIndex), so counts
// and best-match order are Pagefind's over all of them. Pagefind re-sorts merged results by
// score, so date order is ours: partitions are taken in date order and the results within one
// are ordered by its order.json (its page ids, oldest first), fetched only when reached.

const PAGE_SIZE = 10;
const TYPING_DELAY_MS = 200;
const SORTS = new Set(["", "newest", "oldest"]);
// Matches every page, and makes Pagefind load the topic filter alone (not every filter) so a
// search's totals include the topic counts.
const EVERY_TOPIC = { topic: { none: ["\u0000"] } };

const root = document.getElementById("search");
const config = JSON.parse(document.getElementById("search-config").textContent);
const topicNames = new Map(Object.entries(config.topics)); // slug -> name
const form = root.querySelector("form");
const input = document.getElementById("search-q");
const sortSelect = document.getElementById("search-sort");
const topicBoxes = [...form.querySelectorAll('input[name="topic"]')];
const statusLine = document.getElementById("search-status");
const resultList = document.getElementById("search-results");
const moreButton = document.getElementById("search-more");
const pageTitle = document.title;

let indexLoad = null;
let generation = 0; // bumped by every search; a stale reply is dropped
let listing = emptyListing(); // the results being shown
let typingTimer = 0;

function partitionPath(partition) {
  return `${config.bundlePath}${partition.name}/`;
}

function loadIndex() {
  indexLoad ??= (async () => {
    const response = await fetch(config.bundlePath + "partitions.json");
    if (!response.ok) throw new Error(`partitions.json: HTTP ${response.status}`);
    const { partitions } = await response.json();
    if (!partitions.length) throw new Error("partitions.json lists no partitions");
    const [newest, ...older] = partitions;
    const pagefind = await import(partitionPath(newest) + "pagefind.js");
    const tag = (partition) => ({ baseUrl: config.baseUrl, mergeFilter: { partition: partition.name } });
    // Before init, so they reach Pagefind's constructor. No web worker: it would fetch 40 KB
    // more, and a search over these small partitions is quick on the main thread.
    await pagefind.options({ basePath: partitionPath(newest), noWorker: true, ...tag(newest) });
    await pagefind.init();
    await Promise.all(older.map((p) => pagefind.mergeIndex(partitionPath(p), tag(p))));
    return { pagefind, partitions, orders: new Map(), counts: sumTopics(partitions) };
  })();
  return indexLoad;
}

function sumTopics(partitions) {
  const counts = {};
  for (const { topics } of partitions) {
    for (const [slug, n] of Object.entries(topics)) counts[slug] = (counts[slug] ?? 0) + n;
  }
  return counts;
}

// A partition's page ids, oldest first; fetched once, when a date-ordered listing reaches it.
function orderOf(index, partition) {
  if (!index.orders.has(partition.name)) {
    index.orders.set(partition.name, fetch(partitionPath(partition) + "order.json").then((r) => {
      if (!r.ok) throw new Error(`order.json of ${partition.name}: HTTP ${r.status}`);
      return r.json();
    }));
  }
  return index.orders.get(partition.name);
}

// --- Listings: the results in the order shown, taken a page at a time -------------------

function emptyListing() {
  return { total: 0, shown: 0, matched: false, take: async () => [] };
}

function bestMatchListing(results) {
  const listing = { total: results.length, shown: 0, matched: true };
  listing.take = async (n) => results.slice(listing.shown, listing.shown + n);
  return listing;
}

// Date order across partitions: they are date-disjoint, so newest first is the newest
// partition's results newest first, then the next one's... `perPartition` (matches in each,
// from Pagefind's counts of the partition filter) lets empty partitions be skipped unread.
function dateListing(index, results, { newestFirst, matched, perPartition }) {
  const waiting = new Map(results.map((result) => [result.id, result]));
  const partitions = newestFirst ? index.partitions : [...index.partitions].reverse();
  const queue = [];
  let next = 0;
  const listing = { total: results.length, shown: 0, matched };
  listing.take = async (n) => {
    while (queue.length < n && waiting.size && next < partitions.length) {
      const partition = partitions[next++];
      if (perPartition && !perPartition[partition.name]) continue;
      const ids = await orderOf(index, partition);
      for (let i = 0; i < ids.length; i++) {
        const id = ids[newestFirst ? ids.length - 1 - i : i];
        const result = waiting.get(id);
        if (result) queue.push(result), waiting.delete(id);
      }
    }
    if (next >= partitions.length && waiting.size) { // never drop a result, even unordered
      queue.push(...waiting.values());
      waiting.clear();
    }
    return queue.splice(0, n);
  };
  return listing;
}

// --- State: URL <-> form ---------------------------------------------------------------

function stateFromUrl() {
  const params = new URLSearchParams(location.search);
  const wanted = new Set(params.getAll("topic"));
  const sort = params.get("sort") ?? "";
  return {
    q: params.get("q") ?? "",
    topics: topicBoxes.filter((box) => wanted.has(box.value)).map((box) => box.value),
    sort: SORTS.has(sort) ? sort : "",
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
  const index = await loadIndex();
  const q = state.q.trim();
  document.title = q ? `“${q}” · ${pageTitle}` : pageTitle;
  if (!q && !state.topics.length) {
    if (ticket === generation) showIdle(index.counts);
    return;
  }
  const filters = state.topics.length ? { topic: { any: state.topics } } : EVERY_TOPIC;
  const search = await index.pagefind.search(q || null, { filters });
  if (ticket !== generation) return;
  // Without words there is no relevance to order by: list newest first.
  listing = q && !state.sort ? bestMatchListing(search.results)
    : dateListing(index, search.results, { newestFirst: state.sort !== "oldest",
      matched: Boolean(q), perPartition: search.filters?.partition });
  const page = await nextPage(ticket);
  if (!page) return;
  // Counts ignore the topic choice: topics are OR-ed, so a count is what checking one gives.
  // Without words that is the whole index (Pagefind's totals are empty for a filter-only search).
  showCounts(q ? search.totalFilters?.topic ?? {} : index.counts, Boolean(q));
  resultList.replaceChildren(...page);
  moreButton.hidden = listing.shown >= listing.total;
  statusLine.textContent = describe(listing.total, q, state.topics);
}

async function nextPage(ticket) {
  const current = listing;
  const batch = await current.take(PAGE_SIZE);
  const data = await Promise.all(batch.map((result) => result.data()));
  if (ticket !== generation || current !== listing) return null;
  current.shown += batch.length;
  return data.map((item) => renderResult(item, current.matched));
}

async function showMore() {
  moreButton.disabled = true; // one page at a time, in order
  const page = await nextPage(generation);
  moreButton.disabled = false;
  if (!page) return;
  resultList.append(...page);
  moreButton.hidden = listing.shown >= listing.total;
  page[0]?.querySelector("a")?.focus();
}

function showIdle(counts) {
  listing = emptyListing();
  showCounts(counts, false);
  resultList.replaceChildren();
  moreButton.hidden = true;
  statusLine.textContent = "";
}

// A topic without matches stays where it is (marked, not hidden): hiding it would move the
// others, and what follows them, under the reader's eyes and pointer.
function showCounts(counts, onlyMatching) {
  for (const box of topicBoxes) {
    const count = counts[box.value] ?? 0;
    const item = box.closest("li");
    item.querySelector(".search-count > span").textContent = `(${count})`;
    item.classList.toggle("search-none", onlyMatching && count === 0 && !box.checked);
  }
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
  link.href = pageUrl(data.url);
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

// A result's own page: a URL of this site, never a script URL.
function pageUrl(url) {
  const resolved = new URL(url, location.href);
  if (resolved.origin !== location.origin) return config.baseUrl;
  return resolved.pathname + resolved.search + resolved.hash;
}

// Pagefind's excerpt is the page's text with "<" and ">" escaped and the matched words wrapped
// in <mark>. It is never parsed as HTML: split at the marks, the rest unescaped into text.
function excerptNodes(html) {
  return html.split(/(<mark>|<\/mark>)/).reduce((state, piece) => {
    if (piece === "<mark>") state.marked = true;
    else if (piece === "</mark>") state.marked = false;
    else if (piece) {
      const text = piece.replaceAll("&lt;", "<").replaceAll("&gt;", ">");
      state.nodes.push(state.marked ? element("mark", "", text) : document.createTextNode(text));
    }
    return state;
  }, { marked: false, nodes: [] }).nodes;
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

// Said in the results area, which has its room already; the form stays, switched off.
function unavailable(error) {
  console.error("search:", error);
  for (const control of form.elements) control.disabled = true;
  document.getElementById("search-unavailable").hidden = false;
}

function start() {
  const state = stateFromUrl();
  showState(state);
  if (!state.q) input.focus();
  run(state).catch(unavailable);
}

start();
