/* «Уведомления на этом устройстве» (notifications/push_device.html): registers the service worker,
   asks permission, subscribes this browser with the site's VAPID key and tells the server.
   Every sentence shown is in the page; this script only chooses which one. */
(function () {
  "use strict";

  var root = document.querySelector("[data-push]");
  if (!root || !root.dataset.publicKey) return;
  var enable = root.querySelector("[data-push-enable]");
  var disable = root.querySelector("[data-push-disable]");
  var csrf = root.querySelector("input[name=csrfmiddlewaretoken]").value;
  var registration = null;

  function show(name, text) {
    root.querySelectorAll("[data-push-message]").forEach(function (element) {
      element.hidden = element.getAttribute("data-push-message") !== name;
    });
    if (name === "error" && text) root.querySelector("[data-push-error]").textContent = text;
  }

  function render(subscription) {
    enable.hidden = !!subscription;
    disable.hidden = !subscription;
    if (subscription) show("on");
    else show(Notification.permission === "denied" ? "denied" : "off");
  }

  function keyBytes(base64url) {
    var base64 = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(base64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function post(url, data) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(data),
    }).then(function (response) {
      if (response.ok || response.status === 404) return response;
      // The server's sentence is Russian and shown; a browser's own error message is not.
      return response.json().then(
        function (answer) { throw { serverMessage: answer.error || "" }; },
        function () { throw { serverMessage: "" }; }
      );
    });
  }

  function fail(error) {
    show("error", error && error.serverMessage);
    enable.hidden = false;
  }

  if (!("serviceWorker" in navigator && "PushManager" in window && "Notification" in window)) {
    show("unsupported");
    return;
  }
  show("checking");

  navigator.serviceWorker
    .register(root.dataset.worker, { scope: "/" })
    .then(function () { return navigator.serviceWorker.ready; })
    .then(function (ready) {
      registration = ready;
      root.setAttribute("data-push-worker", "ready");
      return registration.pushManager.getSubscription();
    })
    .then(function (subscription) {
      render(subscription);
      // The server may have forgotten this browser (the push service expired it): remind it.
      if (subscription) post(root.dataset.subscribeUrl, subscription.toJSON()).catch(fail);
    })
    .catch(function () { show("unsupported"); });

  enable.addEventListener("click", function () {
    enable.disabled = true;
    Notification.requestPermission()
      .then(function (permission) {
        if (permission !== "granted") return null;
        return registration.pushManager.getSubscription().then(function (old) {
          // A subscription made with another key (the keys were replaced) cannot be reused.
          return old ? old.unsubscribe() : null;
        }).then(function () {
          return registration.pushManager.subscribe({
            userVisibleOnly: true,
            applicationServerKey: keyBytes(root.dataset.publicKey),
          });
        }).then(function (subscription) {
          return post(root.dataset.subscribeUrl, subscription.toJSON()).then(
            function () { return subscription; },
            function (error) { return subscription.unsubscribe().then(function () { throw error; }); }
          );
        });
      })
      .then(render, fail)
      .finally(function () { enable.disabled = false; });
  });

  disable.addEventListener("click", function () {
    disable.disabled = true;
    registration.pushManager.getSubscription()
      .then(function (subscription) {
        if (!subscription) return null;
        return post(root.dataset.unsubscribeUrl, { endpoint: subscription.endpoint }).then(function () {
          return subscription.unsubscribe();
        });
      })
      .then(function () { render(null); }, fail)
      .finally(function () { disable.disabled = false; });
  });
})();
