{% autoescape off %}/* Sferum Admin's service worker (served at /sw.js for the scope «/»): shows Web Push notifications
   sent by notifications/push.py and opens the page a notification points to when it is tapped. */
"use strict";

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("push", function (event) {
  var data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = { body: event.data ? event.data.text() : "" };
  }
  var options = {
    body: data.body || "",
    icon: {{ icon_url }},
    badge: {{ badge_url }},
    data: { url: data.url || "/" },
    lang: "ru",
  };
  if (data.tag) {
    options.tag = data.tag;
    options.renotify = true;
  }
  event.waitUntil(self.registration.showNotification(data.title || "Сферум Админ", options));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var target = new URL((event.notification.data && event.notification.data.url) || "/", self.location.origin);
  if (target.origin !== self.location.origin) target = new URL("/", self.location.origin);
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
      for (var i = 0; i < windows.length; i++) {
        if (windows[i].url === target.href && "focus" in windows[i]) return windows[i].focus();
      }
      for (var j = 0; j < windows.length; j++) {
        if ("navigate" in windows[j] && new URL(windows[j].url).origin === target.origin) {
          return windows[j].focus().then(function (client) {
            return client.navigate(target.href);
          });
        }
      }
      return self.clients.openWindow(target.href);
    })
  );
});
{% endautoescape %}
