// Tonight: swap in the server-rendered batch fragment every 2 s until the batch has finished.
(function () {
  "use strict";
  var box = document.getElementById("progress");
  if (!box || !box.dataset.src) { return; }
  function finished() {
    var state = document.getElementById("batch-state");
    return state && state.textContent.trim() === "finished";
  }
  function poll() {
    if (finished()) { return; }
    fetch(box.dataset.src, {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) { box.innerHTML = html; })
      .catch(function () { /* the next tick tries again */ })
      .then(function () { window.setTimeout(poll, 2000); });
  }
  window.setTimeout(poll, 2000);
}());
