// A tiny Markdown → HTML renderer for the subset the relay's report uses: headings, bullet lists (nested by
// indentation), paragraphs, **bold**, *italic* / _italic_, `code`, [links](url) shown as their text, bare http(s) addresses as links, and
// --- rules. Every character of the input is escaped: the output holds no markup the input did not ask for.

const ESC: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, c => ESC[c])

/** Inline markup of one line of text. */
export function inline(text: string): string {
  let out = ""
  // code spans first: their content is literal
  const parts = text.split(/(`[^`]+`)/)
  for (const part of parts) {
    if (/^`[^`]+`$/.test(part)) { out += `<code>${escapeHtml(part.slice(1, -1))}</code>`; continue }
    out += escapeHtml(part)
      .replace(/\[([^\]]+)\]\(([^)\s]*)\)/g, "$1")
      // bare web addresses (the report's sources) as links; trailing punctuation is not part of them
      .replace(/\bhttps?:\/\/[^\s<>"']*[^\s<>"'.,:;)!?]/g, u => `<a href="${u}" rel="noopener noreferrer" target="_blank">${u}</a>`)
      .replace(/\*\*(\S(?:.*?\S)?)\*\*/g, "<strong>$1</strong>")
      .replace(/__(\S(?:.*?\S)?)__/g, "<strong>$1</strong>")
      .replace(/(^|[^*\w])\*(\S(?:.*?\S)?)\*(?![*\w])/g, "$1<em>$2</em>")
      .replace(/(^|[^_\w])_(\S(?:.*?\S)?)_(?![_\w])/g, "$1<em>$2</em>")
  }
  return out
}

export function markdownToHtml(md: string): string {
  const lines = md.replace(/\r\n?/g, "\n").split("\n")
  const out: string[] = []
  let para: string[] = []
  /** Indentation of each open list, innermost last. */
  const lists: number[] = []
  let itemOpen = false
  const flushPara = () => { if (para.length) { out.push(`<p>${para.map(inline).join("<br>")}</p>`); para = [] } }
  const closeLists = (downTo = 0) => {
    while (lists.length > downTo) { out.push("</li></ul>"); lists.pop() }
    itemOpen = lists.length > 0
  }
  for (const line of lines) {
    const bullet = line.match(/^(\s*)[-*+]\s+(.*)$/)
    if (bullet && !/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) {
      flushPara()
      const indent = bullet[1].replace(/\t/g, "    ").length
      while (lists.length && indent < lists[lists.length - 1]) { out.push("</li></ul>"); lists.pop() }
      if (!lists.length || indent > lists[lists.length - 1]) { out.push("<ul><li>"); lists.push(indent) }
      else out.push("</li><li>")
      out.push(inline(bullet[2]))
      itemOpen = true
      continue
    }
    if (!line.trim()) { flushPara(); closeLists(); continue }
    // a continuation line of a list item (indented text under a bullet)
    if (itemOpen && /^\s+\S/.test(line)) { out.push(" " + inline(line.trim())); continue }
    closeLists()
    const heading = line.match(/^(#{1,6})\s+(.*?)\s*#*\s*$/)
    if (heading) { flushPara(); const n = heading[1].length; out.push(`<h${n}>${inline(heading[2])}</h${n}>`); continue }
    if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) { flushPara(); out.push("<hr>"); continue }
    para.push(line.trim())
  }
  flushPara()
  closeLists()
  return out.join("\n")
}
