// Progressive enhancement only: every page works without this file.
import { initAll } from "../build/govuk-frontend.min.js";
import "./filter-toggle.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// A wide table scrolls sideways inside its region, which is then a Tab stop so that it can be
// scrolled from the keyboard (the markup has tabindex="0" for when this file does not run). A
// table that fits the screen needs no such stop: it is taken out of the Tab order until it no
// longer fits.
function fitTableRegions() {
  for (const region of document.querySelectorAll(".mk-table-wrapper")) {
    if (region.scrollWidth > region.clientWidth + 1) {
      region.setAttribute("tabindex", "0");
    } else {
      region.removeAttribute("tabindex");
    }
  }
}
fitTableRegions();
window.addEventListener("resize", fitTableRegions);
