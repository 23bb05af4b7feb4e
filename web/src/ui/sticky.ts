// Sticky parts of the page and what sits under them: the bar (and on the country page its heading) stick
// to the top, so anything scrolled to (a card after a jump from the matrix, a focused field) must land
// below them. Their heights are kept in CSS variables that `scroll-padding-top`/`scroll-margin-top` use
// (styles.css); they change with the screen's width, the bar's contents and the menu.

/**
 * Keeps the CSS variable `name` on `target` equal to `el`'s height in pixels, now and after every resize.
 * Returns the function that measures again (call it before scrolling, as an observer fires only later).
 */
export function trackHeight(el: HTMLElement, target: HTMLElement, name: string): () => void {
  const measure = () => target.style.setProperty(name, `${Math.ceil(el.getBoundingClientRect().height)}px`)
  measure()
  // jsdom (unit tests) has no ResizeObserver; a browser always does
  if (typeof ResizeObserver !== "undefined") new ResizeObserver(measure).observe(el)
  return measure
}
