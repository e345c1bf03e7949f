// The pages' service worker (scope /app/): each page read online is kept, so that the
// Special's own page and duties can be read offline, marked with when they were fetched.
{% if push_handler %}importScripts({{ push_handler|tojson }});
{% endif %}const SHELL = 'shell-v1';
const PAGES = 'pages-v1';
const KEPT = ['/app/', '/app/events'];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll({{ shell|tojson }})));
  self.skipWaiting();
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((n) => ![SHELL, PAGES].includes(n)).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()));
});

function kept(url) {
  return url.origin === self.location.origin && KEPT.includes(url.pathname);
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || !url.pathname.startsWith('/app/')) return;
  if (request.mode === 'navigate') {
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok && !response.redirected && kept(url)) {
            const copy = response.clone();
            caches.open(PAGES).then((cache) => cache.put(url.pathname + url.search, copy));
          }
          return response;
        })
        .catch(() => caches.open(PAGES)
          .then((cache) => cache.match(url.pathname + url.search))
          .then((page) => page || offlinePage())));
    return;
  }
  event.respondWith(
    caches.match(request).then((hit) => hit || fetch(request)));
});

function offlinePage() {
  const body = '<!doctype html><html lang="en-GB"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<title>No connection</title><link rel="stylesheet" href="{{ shell[0] }}"></head>' +
    '<body class="govuk-template__body"><main class="govuk-width-container govuk-main-wrapper">' +
    '<h1 class="govuk-heading-l">No connection</h1><p class="govuk-body">This page has not ' +
    'been read on this phone yet. Your own page can be read offline once you have opened it ' +
    'with a connection.</p><p class="govuk-body"><a class="govuk-link" href="/app/">Your page</a></p>' +
    '</main></body></html>';
  return new Response(body, { status: 503, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
}

self.addEventListener('message', (event) => {
  if (event.data === 'signed-out') event.waitUntil(caches.delete(PAGES));
});
