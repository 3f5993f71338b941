"""axe-core (the npm package) injected by Playwright: WCAG 2.1 A and AA rules and best practices."""

from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# axe's best practices too: heading order, one h1, unique landmarks, all content in landmarks.
TAGS = [*WCAG_AA, "best-practice"]


# The WCAG rules whose outcome depends on the width of the screen (checked again on a phone).
LAYOUT_RULES = ["scrollable-region-focusable", "meta-viewport", "css-orientation-lock"]


def axe_violations(page, rules: list[str] | None = None) -> list[str]:
    """Run axe on the current page (WCAG 2.1 A and AA and best practices, or only `rules`); one
    readable line per violating element."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    only = {"type": "rule", "values": rules} if rules else {"type": "tag", "values": TAGS}
    result = page.evaluate("only => axe.run(document, {runOnly: only})", only)
    return [
        f"{v['id']} ({v['impact']}): {node['target']} — {v['help']}"
        for v in result["violations"]
        for node in v["nodes"]
    ]


OVERFLOW = """() => {
  const root = document.documentElement;
  if (root.scrollWidth <= root.clientWidth) return [];
  const limit = root.clientWidth;
  const describe = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (el.className && typeof el.className === 'string'
       ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const clipped = el => {
    // Inside a scrolling region that is its containing block (the table wrappers): not the page's.
    const free = ['absolute', 'fixed'].includes(getComputedStyle(el).position);
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const style = getComputedStyle(up);
      if (style.overflowX !== 'visible' && (!free || style.position !== 'static')) return true;
    }
    return false;
  };
  const wide = [...document.body.querySelectorAll('*')].filter(el => {
    const box = el.getBoundingClientRect();
    return box.width && box.right > limit + 1 && !clipped(el);
  });
  // The outermost overflowing elements: those whose parent fits.
  const outermost = wide.filter(el => !wide.includes(el.parentElement));
  return [`page ${root.scrollWidth} px wide at ${limit} px`].concat(
    outermost.slice(0, 5).map(el => `  too wide: ${describe(el)} (${Math.round(el.getBoundingClientRect().right)} px)`));
}"""


def horizontal_overflow(page) -> list[str]:
    """Problems when the page scrolls sideways at the current viewport width (none when it fits)."""
    return page.evaluate(OVERFLOW)
