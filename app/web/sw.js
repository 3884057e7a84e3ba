// The service worker: the app shell of one build, precached and served cache-first, so the app
// opens with no network. The API is never cached: it always goes to the network.
//
// The app's pages come in wasm chunks of a few areas (`chunks.json` of a build lists the files
// of each). The app tells which areas the people signed in on this computer need; they are
// remembered, kept now, and precached with the shell by every later build, so an update never
// leaves a computer without its pages. Other chunks are kept when first fetched.
const BUILD = '{{BUILD}}';
const CACHE = 'nastavnik-' + BUILD;
const SHELL = {{SHELL}};
// What the app asked to keep offline, across builds.
const AREAS_CACHE = 'nastavnik-areas';
const AREAS_KEY = '/areas.json';
// The builds that keep their files: this one and the one before, so that a tab still running
// the previous build can load the pages it has not opened yet.
const KEEP_BUILDS = 2;
const IS_BUILD_CACHE = /^nastavnik-[0-9a-f]+$/;

async function rememberedAreas() {
  const response = await (await caches.open(AREAS_CACHE)).match(AREAS_KEY);
  return response ? response.json() : [];
}

async function remember(areas) {
  const all = [...new Set([...(await rememberedAreas()), ...areas])].sort();
  await (await caches.open(AREAS_CACHE)).put(AREAS_KEY, new Response(JSON.stringify(all)));
}

// Keeps every chunk of `areas` of this build; true when all are in the cache.
async function keepAreas(areas) {
  const cache = await caches.open(CACHE);
  const index = await asset(new Request(`/assets/${BUILD}/chunks.json`), BUILD);
  if (!index.ok) return false;
  const chunks = await index.json();
  const files = new Set(areas.flatMap((area) => chunks[area] || []));
  const results = await Promise.all([...files].map(async (file) => {
    const url = `/assets/${BUILD}/${file}.wasm`;
    if (await cache.match(url)) return true;
    try {
      await cache.add(url);
      return true;
    } catch (error) {
      return false;
    }
  }));
  return results.every(Boolean);
}

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // Files of a build's folder never change, so the HTTP cache's copy (the page has just
    // downloaded them) is as good as the server's; the rest is asked of the server.
    await cache.addAll(SHELL.map((url) => (url.startsWith('/assets/') ? url : new Request(url, { cache: 'reload' }))));
    // Best effort: what is missed here is fetched when the app next asks.
    await keepAreas(await rememberedAreas()).catch(() => false);
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    // Caches are listed in the order they were made; the newest builds stay.
    const builds = (await caches.keys()).filter((key) => IS_BUILD_CACHE.test(key) && key !== CACHE);
    const keep = new Set(builds.slice(-(KEEP_BUILDS - 1)));
    for (const key of builds) {
      if (!keep.has(key)) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  // The page asks for the waiting version only when the user agreed to update.
  if (event.data === 'skipWaiting') {
    self.skipWaiting();
    return;
  }
  // The app asks to keep the chunks of some areas; it is told when they all are.
  if (event.data && Array.isArray(event.data.keep)) {
    const areas = event.data.keep.filter((area) => typeof area === 'string');
    const port = event.ports[0];
    event.waitUntil((async () => {
      await remember(areas);
      const done = await keepAreas(areas).catch(() => false);
      if (port) port.postMessage(done);
    })());
  }
});

// A file of a build's folder (`/assets/<build>/…`) is kept in that build's cache.
async function asset(request, build) {
  const cache = await caches.open('nastavnik-' + build);
  const cached = await cache.match(request, { ignoreVary: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === '/api' || url.pathname.startsWith('/api/') || url.pathname === '/sw.js') return;
  const build = url.pathname.match(/^\/assets\/([0-9a-f]+)\//);
  if (build) {
    event.respondWith(asset(request, build[1]));
    return;
  }
  const cached = request.mode === 'navigate'
    ? caches.match('/', { cacheName: CACHE, ignoreVary: true })
    : caches.match(request, { cacheName: CACHE, ignoreVary: true });
  event.respondWith(cached.then((response) => response || fetch(request)));
});
