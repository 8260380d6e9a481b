// Belenus page script: no inline code (the CSP forbids it), no third party.
// 1. Fills the hidden `csrf` field of every form from the `belenus_csrf` cookie (SPEC §5).
// 2. Re-evaluates each SLA badge from its deadline and due-soon instant, since a static page ages
//    (SPEC §3).
// 3. New ticket: the version list shows the chosen product's versions only, and a file over
//    the limit (or one too many) is refused in the browser before anything is sent. Without
//    this script the form still works: every version is listed, and the server checks both.
// 4. The ticket list on a phone: FILTRO folded unless a filter is set, so the tickets come first.
// 5. The signed-in person's name, and Administración for an administrator, in the header of the
//    pages written once for everyone (the knowledge base, a ticket's page): asked of /account
//    (its JSON) once per tab and login, and kept in sessionStorage under the login's CSRF token.
(function () {
  "use strict";
  var match = document.cookie.match(/(?:^|;\s*)belenus_csrf=([^;]*)/);
  document.documentElement.classList.add(match ? "signed-in" : "signed-out");
  var fold = document.querySelector("details.filter-fold");
  if (fold && window.matchMedia("(max-width: 40rem)").matches) {
    var filtered = false;
    new URLSearchParams(location.search).forEach(function (value, key) { if (key !== "page" && value) filtered = true; });
    fold.open = filtered;
  }
  var token = match ? decodeURIComponent(match[1]) : "";
  if (token) {
    document.querySelectorAll('input[name="csrf"]').forEach(function (input) {
      if (!input.value) input.value = token;
    });
  }

  var account = document.querySelector("a[data-viewer]");
  function showViewer(viewer) {
    if (!viewer.name) return;
    account.textContent = viewer.name + " · " + account.textContent;
    var admin = document.querySelector("a[data-viewer-admin]");
    if (admin && viewer.admin) admin.hidden = false;
  }
  try {
    var kept = JSON.parse(sessionStorage.getItem("belenus_viewer") || "null");
    if (!token) sessionStorage.removeItem("belenus_viewer");
    if (token && account && kept && kept.token === token) {
      showViewer(kept);
    } else if (token && account) {
      fetch(account.getAttribute("href"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          // A session that ended is sent to the login page: not JSON, no name (kept so, too).
          var json = (response.headers.get("Content-Type") || "").indexOf("json") >= 0;
          return response.ok && json ? response.json() : {};
        })
        .then(function (person) {
          var viewer = { token: token, name: person.name || "", admin: person.role === "admin" };
          sessionStorage.setItem("belenus_viewer", JSON.stringify(viewer));
          showViewer(viewer);
        })
        .catch(function () {});
    }
  } catch (e) {}
  var icons = { on_time: "●", due_soon: "▲", overdue: "✖" };
  function refresh() {
    var now = Date.now();
    document.querySelectorAll(".sla[data-due]").forEach(function (badge) {
      var state = badge.getAttribute("data-state");
      if (state === "paused") return;
      var due = Date.parse(badge.getAttribute("data-due"));
      // The instant it turns due soon (business time: no calendar needed here); a theme from
      // before issue 32 gives the hours before the deadline instead.
      var soon = badge.hasAttribute("data-due-soon") ? Date.parse(badge.getAttribute("data-due-soon"))
        : due - parseFloat(badge.getAttribute("data-soon-hours")) * 3600 * 1000;
      if (isNaN(due) || isNaN(soon)) return;
      var next = now >= due ? "overdue" : (now >= soon ? "due_soon" : "on_time");
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

  var product = document.getElementById("n-product");
  var version = document.getElementById("n-version");
  function narrow() {
    if (!product || !version) return;
    version.querySelectorAll("optgroup").forEach(function (group) {
      var mine = group.getAttribute("data-product") === product.value;
      group.hidden = !mine;
      group.disabled = !mine;
    });
    var chosen = version.selectedOptions[0];
    if (chosen && chosen.parentElement && chosen.parentElement.disabled) version.value = "";
    var only = version.querySelectorAll("optgroup:not([disabled]) option");
    if (only.length === 1) version.value = only[0].value;
  }
  if (product && version) {
    product.addEventListener("change", narrow);
    narrow();
  }

  function format(text, values) {
    var i = 0;
    return text.replace(/%@/g, function () { return values[i++]; });
  }
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    input.addEventListener("change", function () {
      var maxBytes = parseInt(input.getAttribute("data-max-bytes"), 10);
      var maxFiles = parseInt(input.getAttribute("data-max-files"), 10);
      var message = "";
      if (input.files.length > maxFiles) message = format(input.getAttribute("data-too-many"), [String(maxFiles)]);
      Array.prototype.forEach.call(input.files, function (file) {
        if (!message && file.size > maxBytes) {
          message = format(input.getAttribute("data-too-large"), [file.name, (maxBytes / 1048576).toLocaleString() + " MB"]);
        }
      });
      input.setCustomValidity(message);
      if (message) input.reportValidity();
    });
  });
})();
