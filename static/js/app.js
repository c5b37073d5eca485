/* Sferum Admin: small behaviours for every page, from a static file (no inline handlers,
   so a Content-Security-Policy may forbid inline script). Everything works without it. */
(function () {
  "use strict";

  // <select data-autosubmit>: send its form as soon as a value is chosen
  // (the form keeps a <noscript> button for browsers without JavaScript).
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("select[data-autosubmit]") && field.form) {
      if (field.form.requestSubmit) field.form.requestSubmit();
      else field.form.submit();
    }
  });

  // <form data-confirm="Вопрос?"> or <button data-confirm="…">: ask before sending.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var question = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });

  // Menus (<details> drop-downs and the «Меню» panel) close on a click elsewhere or on Escape.
  function closeMenus(except) {
    document.querySelectorAll("header.site details[open]").forEach(function (details) {
      if (details !== except && !details.contains(except)) details.removeAttribute("open");
    });
  }
  document.addEventListener("click", function (event) {
    var inside = event.target.closest ? event.target.closest("header.site details") : null;
    closeMenus(inside);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closeMenus(null);
  });
})();
