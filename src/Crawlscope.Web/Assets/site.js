// Copy buttons: copy the text of the element named by data-copy. No other script runs on the site.
document.addEventListener('click', (event) => {
  const button = event.target.closest('button.copy');
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (!source) return;
  navigator.clipboard.writeText(source.textContent).then(
    () => { button.textContent = 'Copied'; setTimeout(() => { button.textContent = 'Copy'; }, 1500); },
    () => { button.textContent = 'Copy failed'; });
});

// The live overview: figures from the server's event stream (/api/events), written into the elements marked
// data-live. Text only (textContent), never markup.
(() => {
  const live = document.getElementById('live');
  if (!live || !window.EventSource) return;
  const number = (v) => typeof v === 'number' ? v.toLocaleString('en-US') : String(v);
  const counts = (byReason, empty) => Object.keys(byReason).length === 0 ? empty
    : Object.entries(byReason).map(([k, v]) => `${k} ${number(v)}`).join(', ');
  const source = new EventSource(live.dataset.events);
  source.addEventListener('figures', (event) => {
    const f = JSON.parse(event.data);
    const values = {
      pagesPerSecond: f.pages_per_second.toFixed(1), pagesThisRun: number(f.pages_this_run), queued: number(f.queued),
      inFlight: number(f.in_flight), leased: number(f.leased), redirects: number(f.redirects), hostsFetching: number(f.hosts_fetching), hostsWaiting: number(f.hosts_waiting),
      recrawlsDue: number(f.recrawls_due), errors: number(f.errors), state: f.paused ? 'paused' : 'running',
      errorsByReason: counts(f.errors_by_reason, 'no errors'),
      linksNotFollowed: 'Links not followed: ' + counts(f.links_not_followed, 'none'),
    };
    for (const element of live.querySelectorAll('[data-live]')) {
      const value = values[element.dataset.live];
      if (value !== undefined) element.textContent = value;
    }
    live.dataset.updated = f.at;
  });
})();
