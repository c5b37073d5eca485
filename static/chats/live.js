/*
 * The chat page, live (README, «WebSocket»). The page works without this script: forms post, links load.
 * Here: new messages appear in #messages, edited and deleted ones are replaced, «… печатает», the composer
 * follows a mute, a role or the chat's status, read markers move while the page is visible; the socket comes
 * back after a drop with a growing pause and fills the gap from the page. A socket closed with 4403 (the
 * person was removed from the chat) is not reopened.
 */
(function () {
  "use strict";

  var chat = document.getElementById("chat");
  if (!chat || !chat.dataset.wsUrl || !("WebSocket" in window) || !window.JSON) {
    return;
  }
  var list = document.getElementById("messages");
  var memberId = chat.dataset.memberId || "";
  var DENIED = 4403;
  var TYPING_SHOWN_MS = 4000;
  var TYPING_SENT_EVERY_MS = 3000;
  var READ_DELAY_MS = 800;

  var socket = null;
  var retries = 0;
  var stopped = false;
  var everOpened = false;
  var typingTimer = null;
  var typingSentAt = 0;
  var readTimer = null;
  var lastReadSent = 0;

  function url() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    return scheme + window.location.host + chat.dataset.wsUrl;
  }

  function fragment(html) {
    var template = document.createElement("template");
    template.innerHTML = (html || "").trim();
    return template.content.firstElementChild;
  }

  function nearBottom() {
    var doc = document.scrollingElement || document.documentElement;
    return doc.scrollHeight - doc.scrollTop - window.innerHeight < 200;
  }

  function lastMessageId() {
    var items = list ? list.querySelectorAll("li.message[data-id]") : [];
    var last = 0;
    for (var i = 0; i < items.length; i += 1) {
      last = Math.max(last, parseInt(items[i].dataset.id, 10) || 0);
    }
    return last;
  }

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(frame));
    }
  }

  function scheduleRead() {
    if (document.visibilityState !== "visible") {
      return;
    }
    window.clearTimeout(readTimer);
    readTimer = window.setTimeout(function () {
      var last = lastMessageId();
      if (last > lastReadSent) {
        lastReadSent = last;
        send({ type: "read", message_id: last });
      }
    }, READ_DELAY_MS);
  }

  function append(event) {
    if (!list || !event.html || document.getElementById("m-" + event.message_id)) {
      return;
    }
    var follow = nearBottom();
    var item = fragment(event.html);
    if (item) {
      list.appendChild(item);
      var empty = document.getElementById("messages-empty");
      if (empty) {
        empty.remove();
      }
      hideTyping();
      if (follow) {
        item.scrollIntoView({ block: "end" });
      }
      scheduleRead();
    }
  }

  function replace(event) {
    var current = document.getElementById("m-" + event.message_id);
    var item = event.html ? fragment(event.html) : null;
    if (current && item) {
      current.replaceWith(item);
    }
  }

  function typingLine() {
    var line = document.getElementById("chat-typing");
    if (!line) {
      line = document.createElement("p");
      line.id = "chat-typing";
      line.className = "muted chat-typing";
      line.setAttribute("aria-live", "polite");
      if (list && list.parentNode) {
        list.parentNode.insertBefore(line, list.nextSibling);
      } else {
        chat.appendChild(line);
      }
    }
    return line;
  }

  function showTyping(event) {
    if (String(event.member_id) === memberId) {
      return;
    }
    typingLine().textContent = (event.name || "Участник") + " печатает…";
    window.clearTimeout(typingTimer);
    typingTimer = window.setTimeout(hideTyping, TYPING_SHOWN_MS);
  }

  function hideTyping() {
    var line = document.getElementById("chat-typing");
    if (line) {
      line.textContent = "";
    }
  }

  function showRefusal(sentence) {
    var composer = document.getElementById("composer");
    var refusal = document.getElementById("composer-refusal");
    if (!refusal) {
      refusal = document.createElement("p");
      refusal.id = "composer-refusal";
      if (composer) {
        composer.replaceWith(refusal);
      } else {
        chat.appendChild(refusal);
      }
    }
    refusal.textContent = sentence;
  }

  // The composer back (a mute lifted, the chat reopened): taken from the page itself, as the server renders it.
  function restoreComposer() {
    var refusal = document.getElementById("composer-refusal");
    if (!refusal || !window.fetch) {
      return;
    }
    window.fetch(window.location.href, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (text) {
        var page = new DOMParser().parseFromString(text, "text/html");
        var composer = page.getElementById("composer");
        var current = document.getElementById("composer-refusal");
        if (composer && current) {
          current.replaceWith(document.importNode(composer, true));
          bindComposer();
        }
      })
      .catch(function () {});
  }

  function composerFollows(event) {
    if (!("refusal" in event)) {
      return;
    }
    if (event.refusal) {
      showRefusal(event.refusal);
    } else {
      restoreComposer();
    }
  }

  function showError(message) {
    var line = document.getElementById("composer-error");
    if (!line) {
      line = document.createElement("p");
      line.id = "composer-error";
      line.setAttribute("role", "alert");
      var anchor = document.getElementById("composer") || document.getElementById("composer-refusal");
      (anchor ? anchor.parentNode : chat).insertBefore(line, anchor ? anchor.nextSibling : null);
    }
    line.textContent = message;
  }

  // After a drop: what was posted meanwhile, from the page (the server's own rendering, this viewer's rights).
  function catchUp() {
    if (!list || !window.fetch) {
      return;
    }
    window.fetch(window.location.href, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (text) {
        var fresh = new DOMParser().parseFromString(text, "text/html").getElementById("messages");
        if (!fresh) {
          return;
        }
        var items = fresh.querySelectorAll("li.message[id]");
        for (var i = 0; i < items.length; i += 1) {
          var current = document.getElementById(items[i].id);
          var item = document.importNode(items[i], true);
          if (current) {
            current.replaceWith(item);
          } else {
            list.appendChild(item);
          }
        }
      })
      .catch(function () {});
  }

  var handlers = {
    "message.new": append,
    "message.edited": replace,
    "message.deleted": replace,
    "message.pinned": replace,
    "reaction.changed": replace,
    "typing": showTyping,
    "member.muted": composerFollows,
    "member.role": composerFollows,
    "chat.updated": composerFollows,
    "member.removed": function (event) {
      if (String(event.member_id) === memberId) {
        stopped = true;
        showRefusal("Вы больше не участник этого чата.");
      }
    },
    "error": function (event) { showError(event.message); }
  };

  function onMessage(raw) {
    var event;
    try {
      event = JSON.parse(raw.data);
    } catch (ignored) {
      return;
    }
    var handle = handlers[event.type];
    if (handle) {
      handle(event);
    } else if (event.error) {
      showError(event.error);
    }
  }

  function connect() {
    if (stopped) {
      return;
    }
    try {
      socket = new WebSocket(url());
    } catch (ignored) {
      return;  // a browser that refuses the socket: the page works as it is
    }
    socket.addEventListener("open", function () {
      if (everOpened) {
        catchUp();
      }
      everOpened = true;
      retries = 0;
      chat.dataset.live = "1";
      scheduleRead();
    });
    socket.addEventListener("message", onMessage);
    socket.addEventListener("close", function (event) {
      chat.dataset.live = "0";
      if (event.code === DENIED || stopped) {
        stopped = true;
        return;
      }
      var pause = Math.min(30000, 1000 * Math.pow(2, retries)) * (0.75 + Math.random() / 2);
      retries += 1;
      window.setTimeout(connect, pause);
    });
  }

  function bindComposer() {
    var text = document.querySelector("#composer textarea[name=text]");
    if (!text) {
      return;
    }
    text.addEventListener("input", function () {
      var now = Date.now();
      if (now - typingSentAt > TYPING_SENT_EVERY_MS) {
        typingSentAt = now;
        send({ type: "typing" });
      }
    });
  }

  document.addEventListener("visibilitychange", scheduleRead);
  bindComposer();
  connect();
})();
