// The portal's service worker. It keeps one thing offline: a page that says the portal needs a
// connection. It never caches anything else: pages, the websocket and HTTP routes can carry health
// data, so they always go to the network (and the server marks them Cache-Control: no-store).
// It also shows web push notices (jobs/outbox_sender.py sends {title, body, tag, url}; the texts
// are the outbox's fixed templates, never health details) and opens the portal when one is tapped.
const CACHE = "portal-offline-v1";
const OFFLINE_URL = "/offline.html";

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll([OFFLINE_URL, "/icons/icon-192.png"])));
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
  );
  self.clients.claim();
});

self.addEventListener("fetch", (event) => {
  // Only page navigations get a fallback; everything else passes straight through.
  if (event.request.mode !== "navigate") return;
  event.respondWith(
    fetch(event.request).catch(() => caches.open(CACHE).then((cache) => cache.match(OFFLINE_URL)))
  );
});

self.addEventListener("push", (event) => {
  let notice = {};
  try {
    notice = event.data ? event.data.json() : {};
  } catch (problem) {
    notice = {};
  }
  const url = typeof notice.url === "string" && notice.url.startsWith("/") && !notice.url.startsWith("//") ? notice.url : "/";
  event.waitUntil(
    self.registration.showNotification(notice.title || "Patient portal", {
      body: notice.body || "", tag: notice.tag || "portal", icon: "/icons/icon-192.png", data: { url },
    })
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || "/";
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((open) => {
      const mine = open.find((client) => new URL(client.url).origin === self.location.origin);
      return mine ? mine.focus() : self.clients.openWindow(url);
    })
  );
});
