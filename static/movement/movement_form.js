/* The order form: only the chosen kind's fields are shown, as soon as the kind is picked.
   Without this script the server does the same: «Показать поля» sends the kind and the page
   comes back with that kind's fields. */
(function () {
  "use strict";
  var form = document.getElementById("movement-form");
  if (!form) return;
  var kind = form.querySelector("select[name=kind]");
  var choose = document.getElementById("choose-kind");
  if (!kind) return;
  // Removed, not hidden: Enter in a field would otherwise press it, as the form's first submit button.
  if (choose) choose.remove();

  function refresh() {
    form.querySelectorAll("[data-for-kind]").forEach(function (el) {
      el.hidden = el.getAttribute("data-for-kind").split(" ").indexOf(kind.value) === -1;
    });
  }

  kind.addEventListener("change", refresh);
  refresh();
})();
