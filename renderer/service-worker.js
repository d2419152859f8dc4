// Parley's service worker: keeps the app's own files so a reload works offline.
// Conversations are not cached here; they live in IndexedDB, written by the sync engine.
const VERSION = __VERSION__;
const PRECACHE = __PRECACHE__;
const CACHE = `parley-shell-${VERSION}`;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(PRECACHE.map((path) => new URL(`.${path}`, self.registration.scope).href)))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys.filter((key) => key.startsWith('parley-shell-') && key !== CACHE).map((key) => caches.delete(key)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (
    url.pathname.startsWith('/api/') ||
    url.pathname.startsWith('/socket.io/') ||
    url.pathname.startsWith('/webhooks/')
  )
    return;

  if (request.mode === 'navigate') {
    // The newest app when the server answers; the cached one when it does not.
    event.respondWith(
      fetch(request).catch(() => caches.match(new URL('./', self.registration.scope).href, { cacheName: CACHE })),
    );
    return;
  }
  event.respondWith(caches.match(request, { cacheName: CACHE }).then((cached) => cached ?? fetch(request)));
});
