import { describe, expect, it } from "vitest"
import { escapeHtml, markdownToHtml } from "../src/ui/markdown"

describe("report markdown → HTML", () => {
  it("headings, paragraphs, bold, italic, code", () => {
    expect(markdownToHtml("# Weekly report\n\nAs of **2026-11-10**, *draft* with `res-102`.\nSecond line.")).toBe(
      "<h1>Weekly report</h1>\n<p>As of <strong>2026-11-10</strong>, <em>draft</em> with <code>res-102</code>.<br>Second line.</p>")
    expect(markdownToHtml("## Changes since 2026-11-03 ##")).toBe("<h2>Changes since 2026-11-03</h2>")
  })
  it("nested bullet lists", () => {
    const md = "- Res 102\n  - Supports: Brazil (confirmed)\n  - Opposes: Kenya\n- Res 130\n\nAfter."
    expect(markdownToHtml(md)).toBe(
      "<ul><li>\nRes 102\n<ul><li>\nSupports: Brazil (confirmed)\n</li><li>\nOpposes: Kenya\n</li></ul>\n</li><li>\nRes 130\n</li></ul>\n<p>After.</p>")
  })
  it("a list right after a heading and a heading right after a list", () => {
    expect(markdownToHtml("## A\n- x\n## B")).toBe("<h2>A</h2>\n<ul><li>\nx\n</li></ul>\n<h2>B</h2>")
  })
  it("links are shown as their text; every character is escaped", () => {
    expect(markdownToHtml("See [the draft](https://example.org/x) <script>alert(1)</script> & \"q\"")).toBe(
      "<p>See the draft &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot;</p>")
    expect(markdownToHtml("- <img src=x onerror=alert(1)> `<b>`")).toBe("<ul><li>\n&lt;img src=x onerror=alert(1)&gt; <code>&lt;b&gt;</code>\n</li></ul>")
    expect(markdownToHtml("# <i>x</i>")).toBe("<h1>&lt;i&gt;x&lt;/i&gt;</h1>")
    expect(escapeHtml("'")).toBe("&#39;")
  })
  it("underscores inside words and lone asterisks stay as they are", () => {
    expect(markdownToHtml("member_id and 2 * 3 * 4")).toBe("<p>member_id and 2 * 3 * 4</p>")
  })
  it("rules and CRLF", () => {
    expect(markdownToHtml("a\r\n\r\n---\r\nb")).toBe("<p>a</p>\n<hr>\n<p>b</p>")
  })
})

describe("report sources", () => {
  it("shows bare web addresses as links and references as text", () => {
    const html = markdownToHtml("- Egypt: reported. Sources: PP26/44; https://example.org/a?b=c&d=e.")
    expect(html).toContain(`<a href="https://example.org/a?b=c&amp;d=e" rel="noopener noreferrer" target="_blank">https://example.org/a?b=c&amp;d=e</a>.`)
    expect(html).toContain("Sources: PP26/44; <a")
  })
})
