/* Invitations: a button with data-copy="text" copies the text (the link) to the clipboard. */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy]") : null;
    if (!button) return;
    var text = button.getAttribute("data-copy");
    var done = function () { button.textContent = "Скопировано"; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { window.prompt("Скопируйте ссылку:", text); });
    } else {
      var area = document.createElement("textarea");
      area.value = text; document.body.appendChild(area); area.select();
      try { document.execCommand("copy"); done(); } catch (e) { window.prompt("Скопируйте ссылку:", text); }
      document.body.removeChild(area);
    }
  });
})();
