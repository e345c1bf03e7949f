// The service worker's part in push (imported by /app/sw.js): show what the service pushed,
// and open its page when the notification is tapped. Only the service's own pages are opened.
"use strict";

self.addEventListener("push", function (event) {
  var message = {};
  if (event.data) {
    try {
      message = event.data.json();
    } catch (notJson) {
      message = { body: event.data.text() };
    }
  }
  event.waitUntil(self.registration.showNotification(message.title || "dutyservice", {
    body: message.body || "",
    data: { url: message.url || "/app/" },
    tag: message.url || undefined
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var wanted = new URL((event.notification.data || {}).url || "/app/", self.location.origin);
  if (wanted.origin !== self.location.origin) {
    wanted = new URL("/app/", self.location.origin);
  }
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true })
    .then(function (windows) {
      for (var i = 0; i < windows.length; i += 1) {
        if (windows[i].url === wanted.href && "focus" in windows[i]) {
          return windows[i].focus();
        }
      }
      return self.clients.openWindow(wanted.href);
    }));
});
