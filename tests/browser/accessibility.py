"""axe-core (the npm package) injected by Playwright: WCAG 2.2 A and AA rules and best practices; our
own checks of target sizes (2.5.8) and of focus hidden under other content (2.4.11)."""

from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# axe's best practices too: heading order, one h1, unique landmarks, all content in landmarks.
TAGS = [*WCAG_AA, "best-practice"]


# The WCAG rules whose outcome depends on the width of the screen (checked again on a phone).
LAYOUT_RULES = ["scrollable-region-focusable", "meta-viewport", "css-orientation-lock"]


def axe_violations(page, rules: list[str] | None = None) -> list[str]:
    """Run axe on the current page (WCAG 2.2 A and AA and best practices, or only `rules`); one
    readable line per violating element."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    only = {"type": "rule", "values": rules} if rules else {"type": "tag", "values": TAGS}
    # Only the violations are wanted: axe then skips collecting every passing node (much faster).
    options = {"runOnly": only, "resultTypes": ["violations"], "iframes": False}
    result = page.evaluate("options => axe.run(document, options)", options)
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


# What a pointer can activate (WCAG 2.5.8) and what Tab can reach (2.4.11).
INTERACTIVE = (
    "a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button],"
    " [role=link], [tabindex]:not([tabindex='-1'])"
)

DESCRIBE = """el => {
  const text = (el.getAttribute('aria-label') || el.innerText || el.value || el.name || '')
    .trim().replace(/\\s+/g, ' ').slice(0, 40);
  const cls = typeof el.className === 'string' && el.className.trim()
    ? '.' + el.className.trim().split(/\\s+/).slice(0, 2).join('.') : '';
  return `<${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${cls}> ${JSON.stringify(text)}`;
}"""

TARGET_SIZES = (
    """([selector, minimum]) => {
  const describe = """
    + DESCRIBE
    + """;
  const inline = el => ['inline', 'contents'].includes(getComputedStyle(el).display);
  const hiddenText = el => !!el.closest('.govuk-visually-hidden, [hidden], [aria-hidden=true]');
  // WCAG 2.5.8's inline exception: a link that is part of a sentence. The link is laid out inline
  // and the block it sits in has words of its own (letters or digits, outside any target and not
  // visually hidden): "… skatiet <a>piekļūstamības paziņojumu</a>." is exempt; a link alone in a
  // paragraph, a list item or a table cell, or links separated only by commas, are not.
  const inSentence = el => {
    if (!inline(el)) return false;
    let block = el.parentElement;
    while (block && inline(block)) block = block.parentElement;
    if (!block) return false;
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const owner = node.parentElement;
      const target = owner.closest(selector);
      if ((target && block.contains(target)) || hiddenText(owner)) continue;
      if (/[\\p{L}\\p{N}]{2,}/u.test(node.textContent)) return true;
    }
    return false;
  };
  const small = [];
  for (const el of document.querySelectorAll(selector)) {
    if (el.closest('[hidden], [inert], [aria-hidden=true]')) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.pointerEvents === 'none') continue;
    let box = el.getBoundingClientRect();
    if (!box.width && !box.height) continue;  // not rendered (display: none, a closed panel)
    if (box.width <= 1 || box.height <= 1) {
      // Visually hidden until focused (the skip link): measured as it shows when focused.
      el.focus({preventScroll: true});
      box = el.getBoundingClientRect();
      el.blur();
      if (box.width <= 1 || box.height <= 1) continue;
    }
    if (box.width >= minimum - 0.01 && box.height >= minimum - 0.01) continue;
    if (inSentence(el)) continue;
    small.push(`target-size: ${describe(el)} ${Math.round(box.width * 10) / 10}×${Math.round(box.height * 10) / 10} px`);
  }
  return small;
}"""
)


def small_targets(page, minimum: int = 24) -> list[str]:
    """Interactive elements smaller than `minimum` × `minimum` CSS px (WCAG 2.5.8 Target Size
    (Minimum), 24 px), except links inside a sentence (the criterion's inline exception)."""
    return page.evaluate(TARGET_SIZES, [INTERACTIVE, minimum])


FOCUS_OBSCURED = (
    """() => {
  const describe = """
    + DESCRIBE
    + """;
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const root = document.documentElement;
  const what = describe(el);
  const covers = hit => hit && (hit === el || el.contains(hit) || (hit.control && hit.control === el));
  // Each of its boxes (a link broken over two lines has two), cut to the viewport: the element at
  // the centre of one of them must be the element itself.
  let hit = null, seen = false;
  for (const box of el.getClientRects()) {
    const left = Math.max(box.left, 0), right = Math.min(box.right, root.clientWidth);
    const top = Math.max(box.top, 0), bottom = Math.min(box.bottom, root.clientHeight);
    if (right - left < 1 || bottom - top < 1) continue;
    seen = true;
    hit = document.elementFromPoint((left + right) / 2, (top + bottom) / 2);
    if (covers(hit)) return {what, problem: null};
  }
  if (!seen) return {what, problem: 'focused but off screen'};
  return {what, problem: `covered by ${hit ? describe(hit) : 'nothing'}`};
}"""
)


def obscured_focus(page, limit: int = 400) -> list[str]:
    """Tab through the page from the top; each element that takes the focus must be on the
    screen and not covered by another element (WCAG 2.4.11 Focus Not Obscured (Minimum)): the
    element at the centre of its visible part is it, one of its descendants, or its label."""
    page.evaluate(
        "() => { document.activeElement && document.activeElement.blur(); scrollTo(0, 0); }"
    )
    problems = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUS_OBSCURED)
        if focused is None:
            break
        if focused["problem"]:
            problems.append(f"focus-obscured: {focused['what']} {focused['problem']}")
    else:
        problems.append(f"focus-obscured: Tab never left the page after {limit} stops")
    page.evaluate(
        "() => { document.activeElement && document.activeElement.blur(); scrollTo(0, 0); }"
    )
    return problems
