// A running optimisation run's page: poll its progress every second, reload when it ends.
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live) { return; }
  var url = live.getAttribute("data-poll");
  var bar = document.getElementById("run-progress");
  var elapsed = document.getElementById("run-elapsed");
  var words = document.getElementById("run-words");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) {
        if (!status) { return; }
        if (status.state !== "running") { window.location.reload(); return; }
        bar.value = status.elapsed || 0;
        elapsed.textContent = Math.round(status.elapsed || 0).toString();
        words.textContent = status.words;
        window.setTimeout(poll, 1000);
      });
  }
  window.setTimeout(poll, 1000);
})();
