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
// The build that was live before this one keeps its files until the next update, so that a
// tab still running it can load the pages it has not opened yet; it is recorded, not guessed.
const LIVE_KEY = '/live-build.json';
const IS_BUILD_CACHE = /^nastavnik-[0-9a-f]+$/;

async function rememberedAreas() {
  try {
    const response = await (await caches.open(AREAS_CACHE)).match(AREAS_KEY);
    const areas = response ? await response.json() : [];
    return Array.isArray(areas) ? areas : [];
  } catch (error) {
    return [];
  }
}

async function remember(areas) {
  const all = [...new Set([...(await rememberedAreas()), ...areas])].sort();
  await (await caches.open(AREAS_CACHE)).put(AREAS_KEY, new Response(JSON.stringify(all)));
}

// Keeps every chunk of `areas` (all areas when null) of this build; true when all are cached.
async function keepAreas(areas) {
  const cache = await caches.open(CACHE);
  const index = await fetch(`/assets/${BUILD}/chunks.json`);
  if (!index.ok) return false;
  const chunks = await index.json();
  const files = new Set((areas || Object.keys(chunks)).flatMap((area) => chunks[area] || []));
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
    // The pages of the people of this computer come with the build: an install that could not
    // fetch them all fails, the browser tries again later, and the previous build goes on
    // serving. A computer that ran a build from before areas were remembered keeps them all.
    let areas = await rememberedAreas();
    if (areas.length === 0) {
      const older = (await caches.keys()).some((key) => IS_BUILD_CACHE.test(key) && key !== CACHE);
      if (!older) return;
      areas = null;
    }
    if (!(await keepAreas(areas))) throw new Error('the chunks of this computer could not be fetched');
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const store = await caches.open(AREAS_CACHE);
    const recorded = await store.match(LIVE_KEY);
    const previous = recorded ? await recorded.json().catch(() => null) : null;
    if (recorded) {
      for (const key of await caches.keys()) {
        if (IS_BUILD_CACHE.test(key) && key !== CACHE && key !== 'nastavnik-' + previous) {
          await caches.delete(key);
        }
      }
    }
    if (previous !== BUILD) await store.put(LIVE_KEY, new Response(JSON.stringify(BUILD)));
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  // The page asks for the waiting version only when the user agreed to update.
  if (event.data === 'skipWaiting') {
    self.skipWaiting();
    return;
  }
  // A page asks which build this worker brings before offering it as a new version.
  if (event.data === 'build') {
    if (event.ports[0]) event.ports[0].postMessage(BUILD);
    return;
  }
  // The app asks to keep the chunks of some areas; it is told when they all are.
  if (event.data && Array.isArray(event.data.keep)) {
    const areas = event.data.keep.filter((area) => typeof area === 'string');
    const port = event.ports[0];
    event.waitUntil((async () => {
      let done = false;
      try {
        await remember(areas);
        done = await keepAreas(areas);
      } finally {
        if (port) port.postMessage(done);
      }
    })());
  }
});

// A file of a build's folder (`/assets/<build>/…`) is kept in that build's cache, if that build
// is still kept (a tab of a build whose files are gone gets the server's answer, not a cache).
// The page gets the answer at once; storing it does not hold it up.
async function asset(event, build) {
  const name = 'nastavnik-' + build;
  const kept = build === BUILD || (await caches.has(name));
  const cache = kept ? await caches.open(name) : null;
  const cached = cache && (await cache.match(event.request, { ignoreVary: true }));
  if (cached) return cached;
  const response = await fetch(event.request);
  if (cache && response.status === 200) {
    event.waitUntil(cache.put(event.request, response.clone()).catch(() => {}));
  }
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
    event.respondWith(asset(event, build[1]));
    return;
  }
  const cached = request.mode === 'navigate'
    ? caches.match('/', { cacheName: CACHE, ignoreVary: true })
    : caches.match(request, { cacheName: CACHE, ignoreVary: true });
  event.respondWith(cached.then((response) => response || fetch(request)));
});
