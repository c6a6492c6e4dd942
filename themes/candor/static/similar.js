// Similar answered questions while a title is typed on /ask: a progressive enhancement.
// Without JavaScript the "Check for similar questions" button does the same on the server.
(function () {
  "use strict";
  var title = document.getElementById("title");
  var box = document.getElementById("similar");
  if (!title || !box || !window.fetch) { return; }
  var list = box.querySelector("ol");
  var timer = null;
  var last = "";

  function show(results) {
    list.textContent = "";
    results.forEach(function (hit) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = hit.url;
      a.textContent = hit.title_text;
      var meta = document.createElement("span");
      meta.className = "meta";
      meta.textContent = hit.meta;
      li.appendChild(a);
      li.appendChild(meta);
      list.appendChild(li);
    });
    box.hidden = results.length === 0;
  }

  function lookup() {
    var q = title.value.trim();
    if (q === last) { return; }
    last = q;
    if (q.length < 4) { show([]); return; }
    fetch("/api/v1/similar?q=" + encodeURIComponent(q), { credentials: "omit" })
      .then(function (r) { return r.ok ? r.json() : { results: [] }; })
      .then(function (data) { if (q === last) { show(data.results || []); } })
      .catch(function () { show([]); });
  }

  title.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(lookup, 300);
  });
}());
