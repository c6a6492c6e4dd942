// Live Markdown preview under a staff answer form: a progressive enhancement. Without
// JavaScript the form's Preview button asks the server for the same rendering.
(function () {
  "use strict";
  var box = document.getElementById("answer-preview");
  var body = document.getElementById("body");
  if (!box || !body || !window.fetch || !window.FormData) { return; }
  var form = body.form;
  var target = box.querySelector(".preview-body");
  var timer = null;
  var last = null;

  function render() {
    var text = body.value;
    if (text === last) { return; }
    last = text;
    var data = new FormData();
    data.append("body", text);
    data.append("csrf_token", form.elements.csrf_token.value);
    fetch(box.getAttribute("data-preview-url"), {method: "POST", body: data, credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (result) {
        // The server sanitises this HTML exactly as it does for a published answer.
        target.innerHTML = result.html || "";
        box.hidden = !result.html;
      })
      .catch(function () { /* the Preview button still works */ });
  }

  body.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(render, 300);
  });
  if (body.value) { render(); }
}());
