// The filter panel of a list (manskonts.templatetags.manskonts.filter_panel) shown and hidden in place.
// Without this file the button is a link to the same page with ?filtri=0 (or without it), so the
// state lives in the URL either way; here a click toggles the panel and rewrites the URL to match,
// so that a reload, the pages and the sort links keep it. On a phone the panel starts closed
// unless the URL says otherwise, so that the results come first.
const PHONE = window.matchMedia("(max-width: 40.0525em)");

function setUp(button) {
  const panel = document.getElementById(button.getAttribute("aria-controls"));
  if (!panel) return;
  const labels = button.querySelectorAll("[data-mk-when]");

  function show(open, rewriteUrl) {
    panel.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    for (const label of labels) {
      label.hidden = label.dataset.mkWhen !== (open ? "shown" : "hidden");
    }
    button.href = open ? button.dataset.hideUrl : button.dataset.showUrl;
    if (rewriteUrl) {
      const url = new URL(window.location.href);
      url.searchParams.set("filtri", open ? "1" : "0");
      window.history.replaceState(window.history.state, "", url);
      updateLinks(open);
    }
  }

  // Links of the page that carry the state along (pages, sort headers, cleared filters).
  function updateLinks(open) {
    for (const link of document.querySelectorAll("main a[href^='?']")) {
      if (link === button) continue;
      const url = new URL(link.href, window.location.href);
      url.searchParams.set("filtri", open ? "1" : "0");
      link.setAttribute("href", `?${url.searchParams.toString()}`);
    }
  }

  const explicit = new URL(window.location.href).searchParams.get("filtri");
  const hasErrors = panel.querySelector(".govuk-form-group--error") !== null;
  if (explicit === null && PHONE.matches && !hasErrors) {
    show(false, false);
  } else {
    show(!panel.hidden, false);
  }

  button.addEventListener("click", (event) => {
    event.preventDefault();
    show(panel.hidden, true);
  });
}

for (const button of document.querySelectorAll("[data-mk-filter-toggle]")) {
  setUp(button);
}
