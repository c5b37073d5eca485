/* Sferum Admin: the rest of the small page behaviours, from a static file so the
   Content-Security-Policy can forbid inline script (see static/js/app.js for
   data-confirm and data-autosubmit). Each is switched on by a data- attribute. */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target.closest) return;

    // <button type="button" data-print>: open the browser's print dialog.
    if (target.closest("[data-print]")) {
      window.print();
      return;
    }

    // <input type="checkbox" data-check-all="ids">: tick or untick every checkbox named "ids" of its form.
    var all = target.closest("input[type=checkbox][data-check-all]");
    if (all) {
      var scope = all.form || document;
      var name = all.getAttribute("data-check-all");
      scope.querySelectorAll("input[type=checkbox]").forEach(function (box) {
        if (box.name === name) box.checked = all.checked;
      });
      return;
    }

    // <input data-select-on-click>: a click selects the whole text, ready to copy.
    var field = target.closest("input[data-select-on-click]");
    if (field) field.select();
  });
})();
