// Keyboard movement in the matrix, the ARIA grid pattern (WAI-ARIA APG "Data Grid"): the whole grid is one
// tab stop (the last cell focused, else the first), arrow keys move between cells, Home/End go to the start
// or end of the row (with Ctrl: of the grid), PageUp/PageDown move by a screenful of rows, and Enter opens
// the cell (each cell is a link). Positions are (row, column) in the table body: column 0 is the country's
// name, the others its cells; the header row only labels.

/** Where a key moves focus from (row, col) in a grid of `rows` × `cols`; null when the key is not a move. */
export function moveInGrid(key: string, ctrl: boolean, at: { row: number; col: number }, size: { rows: number; cols: number; page: number }): { row: number; col: number } | null {
  const clamp = (v: number, n: number) => Math.max(0, Math.min(n - 1, v))
  const { row, col } = at
  switch (key) {
    case "ArrowLeft": return { row, col: clamp(col - 1, size.cols) }
    case "ArrowRight": return { row, col: clamp(col + 1, size.cols) }
    case "ArrowUp": return { row: clamp(row - 1, size.rows), col }
    case "ArrowDown": return { row: clamp(row + 1, size.rows), col }
    case "Home": return ctrl ? { row: 0, col: 0 } : { row, col: 0 }
    case "End": return ctrl ? { row: size.rows - 1, col: size.cols - 1 } : { row, col: size.cols - 1 }
    case "PageUp": return { row: clamp(row - size.page, size.rows), col }
    case "PageDown": return { row: clamp(row + size.page, size.rows), col }
    default: return null
  }
}

/**
 * Makes the table in `box` a one-tab-stop grid. The table is rebuilt on every change, so the cell that holds
 * the tab stop is remembered by id; call `refresh()` after each rebuild to give it back its tabindex.
 */
export function rovingGrid(box: HTMLElement): { refresh(): void } {
  let current = ""
  const body = () => box.querySelector<HTMLTableSectionElement>("table.grid > tbody")
  const focusable = (cell: Element | undefined) => cell?.querySelector<HTMLElement>("a") ?? null
  const place = (el: HTMLElement | null) => {
    for (const old of box.querySelectorAll<HTMLElement>("table.grid [tabindex='0']")) old.tabIndex = -1
    if (el) { el.tabIndex = 0; current = el.id }
  }
  const refresh = () => {
    const b = body()
    if (!b) return
    place((current && b.querySelector<HTMLElement>(`[id="${CSS.escape(current)}"]`)) || focusable(b.rows[0]?.cells[0]))
  }
  box.addEventListener("focusin", e => {
    const a = (e.target as Element).closest("table.grid > tbody a")
    if (a instanceof HTMLElement && a.id !== current) place(a)
  })
  box.addEventListener("keydown", e => {
    const b = body()
    const from = (e.target as Element).closest("td, th")
    if (!b || !(from instanceof HTMLTableCellElement) || e.altKey || e.metaKey) return
    const tr = from.parentElement as HTMLTableRowElement
    if (tr.parentElement !== b) return
    const page = Math.max(1, Math.floor(box.clientHeight / Math.max(1, tr.offsetHeight)) - 1)
    const to = moveInGrid(e.key, e.ctrlKey, { row: tr.sectionRowIndex, col: from.cellIndex },
      { rows: b.rows.length, cols: tr.cells.length, page })
    if (!to) return
    e.preventDefault()
    const target = focusable(b.rows[to.row]?.cells[to.col])
    if (target) { place(target); target.focus() }
  })
  return { refresh }
}
