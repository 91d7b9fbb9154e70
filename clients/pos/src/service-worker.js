/* The POS's service worker. sw-plugin.ts prepends PRECACHE (this build's files) and VERSION. */
/* global PRECACHE, VERSION */
const CACHE = `comanda-pos-${VERSION}`;
const SHELL = new URL('./', self.location).href;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(PRECACHE))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key.startsWith('comanda-pos-') && key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  // only the app itself: GraphQL and sign-in always go to the network
  if (request.method !== 'GET' || url.origin !== self.location.origin || !url.href.startsWith(SHELL)) return;
  if (request.mode === 'navigate') {
    // network first, so a new build reaches the till when it is online; the cached shell when not
    event.respondWith(fetch(request).catch(() => caches.match(SHELL).then((hit) => hit ?? Response.error())));
    return;
  }
  event.respondWith(caches.match(request).then((hit) => hit ?? fetch(request)));
});
