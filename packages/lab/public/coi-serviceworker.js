/*
 * Cross-origin isolation for static hosts that cannot set headers (GitHub Pages and the like).
 * In the page: when the page is not cross-origin isolated, registers this file as a service
 * worker and reloads once. In the service worker: re-serves every same-origin response with
 * COOP/COEP headers. `weft lab` sets the headers itself, so there this script does nothing.
 * The lab also works without isolation (it needs no SharedArrayBuffer in ghost mode); the
 * header only reports whether the page is isolated.
 */
if (typeof window === 'undefined') {
  self.addEventListener('install', () => self.skipWaiting());
  self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
  self.addEventListener('fetch', (event) => {
    const request = event.request;
    if (request.cache === 'only-if-cached' && request.mode !== 'same-origin') return;
    if (new URL(request.url).origin !== self.location.origin) return;
    event.respondWith(
      fetch(request).then((response) => {
        if (response.status === 0) return response;
        const headers = new Headers(response.headers);
        headers.set('Cross-Origin-Opener-Policy', 'same-origin');
        headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
        headers.set('Cross-Origin-Resource-Policy', 'same-origin');
        return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
      }),
    );
  });
} else if (!window.crossOriginIsolated && window.isSecureContext && 'serviceWorker' in navigator) {
  const once = 'weft-lab-coi-reloaded';
  navigator.serviceWorker.register(document.currentScript.src).then((registration) => {
    if (registration.active && !navigator.serviceWorker.controller && !sessionStorage.getItem(once)) {
      sessionStorage.setItem(once, '1');
      window.location.reload();
    }
  });
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (!sessionStorage.getItem(once)) {
      sessionStorage.setItem(once, '1');
      window.location.reload();
    }
  });
}
