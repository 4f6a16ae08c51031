/* Live progress of a scaffold run: polls the run's JSON and updates status, steps and log.
   A file, not an inline script, so the Content-Security-Policy can forbid inline scripts. */
(function () {
  "use strict";
  const url = document.currentScript.getAttribute("data-poll-url");
  const labels = {pending: "Pending", running: "Running", succeeded: "Succeeded", failed: "Failed", undone: "Undone"};
  function text(tag, value, cls) { const el = document.createElement(tag); el.textContent = value; if (cls) el.className = cls; return el; }
  async function poll() {
    let data;
    try { data = await (await fetch(url, {headers: {Accept: "application/json"}, credentials: "same-origin"})).json(); }
    catch (e) { setTimeout(poll, 2000); return; }
    const status = document.getElementById("run-status");
    status.textContent = labels[data.status] || data.status;
    status.dataset.status = data.status;
    for (const step of data.steps) {
      const row = document.querySelector(`tr[data-step="${step.name}"]`);
      if (!row) continue;
      row.querySelector(".status").textContent = labels[step.status] || step.status;
      row.querySelector(".duration").textContent = step.duration === null ? "" : step.duration;
    }
    const log = document.getElementById("run-log");
    log.replaceChildren(...data.log.map(e => text("li", `${e.at.slice(11, 19)} ${e.step ? "[" + e.step + "] " : ""}${e.message}`, e.level)));
    const error = document.getElementById("run-error");
    error.hidden = !data.error; error.textContent = data.error;
    if (data.service_url && !document.getElementById("service-link")) {
      const link = text("a", "the service in the catalog"); link.href = data.service_url; link.id = "service-link";
      const result = document.getElementById("run-result"); result.append(" · ", link);
      if (data.repository_url) result.append(" · clone: ", text("code", "git clone " + data.repository_url));
      document.getElementById("clone-help")?.removeAttribute("hidden");
    }
    if (data.status !== "succeeded" && data.status !== "failed") setTimeout(poll, 700);
  }
  if (document.getElementById("run-status").dataset.status !== "succeeded" && document.getElementById("run-status").dataset.status !== "failed") setTimeout(poll, 300);
})();
