// The logic the views carry apart from the DOM: which matrix rows and columns the filters leave, and what
// the home page's "Open a link" box makes of what was pasted.
import { describe, expect, it } from "vitest"
import { generateAutomergeUrl } from "@automerge/automerge-repo/slim"
import { A } from "../src/model/am"
import { readAnalysis, setPositionField } from "../src/model/schema"
import { noFilters, visibleCountries, visibleItems } from "../src/ui/matrix"
import { fragmentOfLink } from "../src/ui/home"
import { alice, newDoc } from "./helpers"

describe("matrix filters", () => {
  const doc = A.change(newDoc(), d => {
    setPositionField(d, alice, "KE", "res71", "stance", "supports")
    setPositionField(d, alice, "DE", "res102", "stance", "supports")
  })
  const a = readAnalysis(doc)
  const show = (f: Partial<ReturnType<typeof noFilters>>) => {
    const filters = { ...noFilters(), ...f }
    const items = visibleItems(a, filters)
    return { items: items.map(([id]) => id), countries: visibleCountries(a, filters, items).map(([cc]) => cc) }
  }

  it("without filters: every country by name, items by track, priority and code", () => {
    expect(show({})).toEqual({ items: ["res102", "res130", "res71"], countries: ["BR", "DE", "IN", "KE"] })
  })

  it("track and priority narrow the items; region and search the countries (by name, or exact code)", () => {
    expect(show({ track: "COM6" }).items).toEqual(["res71"])
    expect(show({ priority: "high" }).items).toEqual(["res102", "res130"])
    expect(show({ region: "Africa" }).countries).toEqual(["KE"])
    expect(show({ q: "  ind " }).countries).toEqual(["IN"])
    expect(show({ q: "de" }).countries).toEqual(["DE"])
    expect(show({ q: "e" }).countries).toEqual(["DE", "KE"])
  })

  it("a stance keeps the countries holding it on a visible item", () => {
    expect(show({ stance: "supports" }).countries).toEqual(["DE", "KE"])
    expect(show({ stance: "supports", track: "COM6" }).countries).toEqual(["KE"])
    expect(show({ stance: "opposes" }).countries).toEqual([])
  })
})

describe("opening a pasted link", () => {
  const url = generateAutomergeUrl()
  it("takes the fragment of a full link, or a bare automerge URL, and nothing else", () => {
    expect(fragmentOfLink(` https://caucus.example/#doc=${url}&view=tasks `)).toBe(`doc=${url}&view=tasks`)
    expect(fragmentOfLink(url)).toBe(`doc=${url}`)
    expect(fragmentOfLink("automerge:not-a-doc")).toBe("")
    expect(fragmentOfLink("")).toBe("")
  })
})
