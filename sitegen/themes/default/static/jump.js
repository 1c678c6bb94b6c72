// "Jump to date": on the dates page, go to the nearest day with entries to ?date=YYYY-MM-DD.
// Without JavaScript the page still lists every day as a link.
const wanted = new URLSearchParams(location.search).get("date");
const links = [...document.querySelectorAll("a[data-day]")];
if (wanted && /^\d{4}-\d{2}-\d{2}$/.test(wanted) && links.length) {
  const target = Date.parse(wanted);
  let best = links[0];
  let bestGap = Infinity;
  for (const link of links) {
    const gap = Math.abs(Date.parse(link.dataset.day) - target);
    if (gap < bestGap) { best = link; bestGap = gap; }
  }
  location.replace(best.href);
}
