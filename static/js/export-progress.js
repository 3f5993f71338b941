// The Excel export status page, while the report is being built: fetch the page again every few
// seconds and update its status in place. A <meta http-equiv="refresh"> would reload the whole page
// without the person's consent (WCAG 2.2.1) and throw a screen reader back to the top; here only
// a change of state is announced, through a polite live region. Without JavaScript the page has an
// "Atjaunot tagad" link instead.
const INTERVAL_MS = 3000;
const status = document.querySelector("[data-export-status]");
const announce = document.getElementById("export-announce");

async function poll() {
  let response;
  try {
    response = await fetch(window.location.href, { credentials: "same-origin" });
  } catch {
    window.setTimeout(poll, INTERVAL_MS * 2);
    return;
  }
  if (!response.ok) return;
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  const fresh = page.querySelector("[data-export-status]");
  if (!fresh) return;
  const changed = fresh.dataset.exportStatus !== status.dataset.exportStatus;
  status.replaceChildren(...fresh.childNodes);
  status.dataset.exportStatus = fresh.dataset.exportStatus;
  if (changed && announce) {
    announce.textContent = status.querySelector("[data-testid=export-state]").textContent;
  }
  if (fresh.dataset.exportStatus === "pending" || fresh.dataset.exportStatus === "running") {
    window.setTimeout(poll, INTERVAL_MS);
  }
}

if (status && (status.dataset.exportStatus === "pending" || status.dataset.exportStatus === "running")) {
  window.setTimeout(poll, INTERVAL_MS);
}
