// The service worker: the app shell of one build, precached and served cache-first, so the app
// opens with no network. The API is never cached: it always goes to the network.
const BUILD = '{{BUILD}}';
const CACHE = 'nastavnik-' + BUILD;
const SHELL = {{SHELL}};

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { cache: 'reload' })))),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith('nastavnik-') && key !== CACHE) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

// The page asks for the waiting version only when the user agreed to update.
self.addEventListener('message', (event) => {
  if (event.data === 'skipWaiting') self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === '/api' || url.pathname.startsWith('/api/') || url.pathname === '/sw.js') return;
  const cached = request.mode === 'navigate'
    ? caches.match('/', { cacheName: CACHE, ignoreVary: true })
    : caches.match(request, { cacheName: CACHE, ignoreVary: true });
  event.respondWith(cached.then((response) => response || fetch(request)));
});
