/* Materials upload page: each chosen or dropped file is posted on its own to the
   upload endpoint with a progress bar; the form then carries only the ids of the
   files the server accepted. Without this script the form posts the files itself. */
(function () {
  "use strict";
  var script = document.currentScript;
  var uploadUrl = script && script.dataset.uploadUrl;
  var form = document.getElementById("material-form");
  if (!form || !uploadUrl) return;

  var input = form.querySelector("input[type=file][name=files]");
  var list = document.getElementById("upload-list");
  var dropzone = document.getElementById("dropzone");
  var kindSelect = form.querySelector("[name=kind]");
  var audienceSelect = form.querySelector("[name=audience]");
  var buttons = form.querySelectorAll("button[type=submit]");
  var pending = 0;

  function csrfToken() {
    var field = form.querySelector("[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function toggle(attr, value) {
    form.querySelectorAll("[" + attr + "]").forEach(function (el) {
      var wanted = el.getAttribute(attr).split(" ");
      el.hidden = value !== null && wanted.indexOf(value) === -1;
    });
  }

  function refresh() {
    toggle("data-for-kind", kindSelect ? kindSelect.value : form.dataset.kind || null);
    if (audienceSelect) toggle("data-for-audience", audienceSelect.value);
    buttons.forEach(function (b) { b.disabled = pending > 0; });
  }

  function formatSize(bytes) {
    if (bytes >= 1048576) return (bytes / 1048576).toFixed(1).replace(".", ",") + " МБ";
    return Math.max(1, Math.round(bytes / 1024)) + " КБ";
  }

  function upload(file) {
    var item = document.createElement("li");
    var label = document.createElement("span");
    label.textContent = file.name + " (" + formatSize(file.size) + ")";
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    var status = document.createElement("small");
    status.className = "muted";
    status.textContent = " загрузка…";
    item.appendChild(label);
    item.appendChild(status);
    item.appendChild(bar);
    list.appendChild(item);
    pending += 1;
    refresh();

    var data = new FormData();
    data.append("file", file);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", uploadUrl);
    xhr.setRequestHeader("X-CSRFToken", csrfToken());
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) bar.value = Math.round((event.loaded / event.total) * 100);
    });
    xhr.addEventListener("load", function () {
      var answer = {};
      try { answer = JSON.parse(xhr.responseText); } catch (e) { answer = {}; }
      if (xhr.status === 201) {
        bar.value = 100;
        status.textContent = " загружен";
        item.dataset.uploaded = "1";
        var hidden = document.createElement("input");
        hidden.type = "hidden";
        hidden.name = "upload_ids";
        hidden.value = answer.id;
        item.appendChild(hidden);
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "secondary outline remove-upload";
        remove.textContent = "Убрать";
        remove.setAttribute("aria-label", "Убрать файл " + file.name);
        remove.addEventListener("click", function () { item.remove(); });
        item.appendChild(remove);
      } else {
        bar.remove();
        status.className = "error";
        status.setAttribute("role", "alert");
        status.textContent = " " + (answer.error || "Не удалось загрузить файл. Попробуйте ещё раз.");
      }
      done();
    });
    xhr.addEventListener("error", function () {
      status.className = "error";
      status.textContent = " Нет связи с сервером. Попробуйте ещё раз.";
      done();
    });
    xhr.send(data);
  }

  function done() {
    pending -= 1;
    refresh();
  }

  function uploadAll(files) {
    Array.prototype.forEach.call(files, upload);
    if (input) input.value = "";
  }

  if (input) {
    input.addEventListener("change", function () { uploadAll(input.files); });
  }
  if (dropzone) {
    ["dragenter", "dragover"].forEach(function (name) {
      dropzone.addEventListener(name, function (event) {
        event.preventDefault();
        dropzone.classList.add("over");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      dropzone.addEventListener(name, function (event) {
        event.preventDefault();
        dropzone.classList.remove("over");
      });
    });
    dropzone.addEventListener("drop", function (event) {
      if (event.dataTransfer && event.dataTransfer.files.length) uploadAll(event.dataTransfer.files);
    });
  }

  /* A small rich-text editor for articles; the server cleans whatever arrives. */
  var textarea = form.querySelector("textarea[name=body]");
  var editor = form.querySelector(".editor");
  var toolbar = form.querySelector(".editor-toolbar");
  if (textarea && editor && toolbar) {
    editor.innerHTML = textarea.value;
    editor.hidden = false;
    toolbar.hidden = false;
    textarea.hidden = true;
    toolbar.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-cmd]");
      if (!button) return;
      var arg = button.dataset.arg || null;
      if (button.dataset.cmd === "createLink") {
        arg = window.prompt("Адрес ссылки (https://…)");
        if (!arg) return;
      }
      editor.focus();
      document.execCommand(button.dataset.cmd, false, arg);
    });
    form.addEventListener("submit", function () { textarea.value = editor.innerHTML; });
  }

  form.addEventListener("submit", function (event) {
    if (pending > 0) event.preventDefault();
  });
  if (kindSelect) kindSelect.addEventListener("change", refresh);
  if (audienceSelect) audienceSelect.addEventListener("change", refresh);
  refresh();
})();
