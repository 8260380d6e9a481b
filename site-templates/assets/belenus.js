// Belenus page script: no inline code (the CSP forbids it), no third party.
// 1. Fills the hidden `csrf` field of every form from the `belenus_csrf` cookie (SPEC §5).
// 2. Re-evaluates each SLA badge from its <time datetime>, since a static page ages (SPEC §3).
(function () {
  "use strict";
  var match = document.cookie.match(/(?:^|;\s*)belenus_csrf=([^;]*)/);
  document.documentElement.classList.add(match ? "signed-in" : "signed-out");
  if (match) {
    var token = decodeURIComponent(match[1]);
    document.querySelectorAll('input[name="csrf"]').forEach(function (input) {
      if (!input.value) input.value = token;
    });
  }
  var icons = { on_time: "●", due_soon: "▲", overdue: "✖" };
  function refresh() {
    var now = Date.now();
    document.querySelectorAll(".sla[data-due]").forEach(function (badge) {
      var state = badge.getAttribute("data-state");
      if (state === "paused") return;
      var due = Date.parse(badge.getAttribute("data-due"));
      var soon = parseFloat(badge.getAttribute("data-soon-hours")) * 3600 * 1000;
      if (isNaN(due)) return;
      var next = now >= due ? "overdue" : (due - now <= soon ? "due_soon" : "on_time");
      if (next === state) return;
      badge.classList.remove("sla-" + state);
      badge.classList.add("sla-" + next);
      badge.setAttribute("data-state", next);
      badge.querySelector(".icon").textContent = icons[next];
      badge.querySelector(".label").textContent = badge.getAttribute("data-label-" + next);
    });
  }
  refresh();
  setInterval(refresh, 30000);
})();
