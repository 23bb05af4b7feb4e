// The route table: which fragment shows which view, with which parameters, and how links build fragments.
// The view modules are replaced by recorders (they need a DOM); what is checked is the call they get.
import { describe, expect, it, vi, beforeEach } from "vitest"
import { generateAutomergeUrl } from "@automerge/automerge-repo/slim"
import { readAnalysis } from "../src/model/schema"
import { newDoc } from "./helpers"
// vi.mock calls below are hoisted above these imports, so routes.ts sees the recorders
import {
  docOf, entryFor, firstCountry, fragmentAsOf, fragmentFor, navLinks, resolveRoute, splitToken, type BuildDeps,
} from "../src/app/routes"

const views = vi.hoisted(() => {
  const recorder = (name: string) => vi.fn((..._args: unknown[]) => ({ el: name, update() {} }))
  return {
    matrixView: recorder("matrix"), countryView: recorder("country"), tasksView: recorder("tasks"),
    exportView: recorder("export"), changesView: recorder("changes"), reportView: recorder("report"),
    accessView: recorder("access"), adminView: recorder("admin"), recentView: recorder("recent"),
    documentsView: recorder("documents"), feedView: recorder("feed"),
  }
})
vi.mock("../src/ui/matrix", () => ({ matrixView: views.matrixView }))
vi.mock("../src/ui/country", () => ({ countryView: views.countryView }))
vi.mock("../src/ui/tasks", () => ({ tasksView: views.tasksView }))
vi.mock("../src/ui/reports", () => ({ exportView: views.exportView, reportView: views.reportView }))
vi.mock("../src/ui/changes", () => ({ changesView: views.changesView }))
vi.mock("../src/ui/access", () => ({ accessView: views.accessView }))
vi.mock("../src/ui/admin", () => ({ adminView: views.adminView }))
vi.mock("../src/ui/recent", () => ({ recentView: views.recentView }))
vi.mock("../src/ui/documents", () => ({ documentsView: views.documentsView }))
vi.mock("../src/ui/feed", () => ({ feedView: views.feedView }))


const DOC = generateAutomergeUrl()
const analysis = readAnalysis(newDoc()) // Brazil, Germany, India, Kenya × res102, res130, res71
const TODAY = "2026-03-01"

function deps() {
  const here = vi.fn()
  const d = {
    ctx: { here, tag: "ctx" }, tools: { tag: "tools" }, access: { tag: "access" }, admin: { tag: "admin" },
    filters: { matrix: { region: "", track: "", stance: "", priority: "", q: "" }, tasks: { onlyMine: false } },
  }
  return { d: d as unknown as BuildDeps, here, raw: d }
}

/** Resolves `fragment` and builds its view; returns the route, the view's name and the recorders' calls. */
function show(fragment: string, admin = false) {
  const r = resolveRoute(DOC, new URLSearchParams(fragment), { admin, analysis, today: TODAY })
  const { d, here, raw } = deps()
  const view = entryFor(r.view).build(d, r)
  return { r, name: view.el as unknown as string, here, raw }
}

beforeEach(() => { for (const f of Object.values(views)) f.mockClear() })

describe("which view a fragment shows", () => {
  it("documents: the Documents view with the analysis's context", () => {
    const { r, name, raw } = show(`doc=${DOC}&view=documents`)
    expect([r.view, name, r.asOf]).toEqual(["documents", "documents", ""])
    expect(views.documentsView).toHaveBeenCalledWith(raw.ctx)
  })

  it("no view: the matrix, live, with the page's filters, and presence says 'matrix'", () => {
    const { r, name, here, raw } = show(`doc=${DOC}`)
    expect([r.view, name, r.asOf]).toEqual(["matrix", "matrix", ""])
    expect(views.matrixView).toHaveBeenCalledWith(raw.ctx, raw.filters.matrix)
    expect(here).toHaveBeenCalledWith({ view: "matrix", country: "", task: "" })
  })

  it("country: the country and item of the fragment go to the country view", () => {
    const { r, name } = show(`doc=${DOC}&view=country&c=KE&i=res71`)
    expect(name).toBe("country")
    expect(views.countryView).toHaveBeenCalledWith(expect.objectContaining({ tag: "ctx" }), "KE", "res71")
    expect([r.cc, r.item]).toEqual(["KE", "res71"])
  })

  it("country without c opens the first country by name; without i scrolls nowhere", () => {
    show(`doc=${DOC}&view=country`)
    expect(firstCountry(analysis)).toBe("BR")
    expect(views.countryView).toHaveBeenCalledWith(expect.anything(), "BR", undefined)
  })

  it("tasks get the page's 'only mine' filter; export and changes get the tools", () => {
    const t = show(`doc=${DOC}&view=tasks`)
    expect(views.tasksView).toHaveBeenCalledWith(t.raw.ctx, t.raw.filters.tasks)
    expect(show(`doc=${DOC}&view=export`).name).toBe("export")
    expect(views.exportView).toHaveBeenCalledWith(expect.objectContaining({ tag: "tools" }))
    expect(show(`doc=${DOC}&view=changes`).name).toBe("changes")
    expect(views.changesView).toHaveBeenCalledWith(expect.objectContaining({ tag: "tools" }))
  })

  it("feed: its filters from the fragment, any unknown kind read as none", () => {
    const { r, name } = show(`doc=${DOC}&view=feed&kind=task&track=COM5&country=BR&person=m-alice&c=KE`)
    expect(name).toBe("feed")
    expect(r.feed).toEqual({ kind: "task", track: "COM5", country: "BR", person: "m-alice" })
    expect(views.feedView).toHaveBeenLastCalledWith(expect.objectContaining({ tag: "ctx" }), r.feed)
    show(`doc=${DOC}&view=feed&kind=nonsense`)
    expect(views.feedView).toHaveBeenLastCalledWith(expect.anything(), { kind: "", track: "", country: "", person: "" })
  })

  it("tasks: a task of the fragment (a feed link) is landed on; without one the tasks view is as it was", () => {
    const plain = show(`doc=${DOC}&view=tasks`)
    expect(plain.r.task).toBe("")
    const landed = show(`doc=${DOC}&view=tasks&task=t-1`)
    expect(landed.r.task).toBe("t-1")
    expect(views.tasksView).toHaveBeenLastCalledWith(landed.raw.ctx, landed.raw.filters.tasks)
  })

  it("report: the date and since of the fragment, else today and the last report", () => {
    show(`doc=${DOC}&view=report&date=2026-02-20&since=2026-02-13`)
    expect(views.reportView).toHaveBeenLastCalledWith(expect.objectContaining({ tag: "tools" }), "2026-02-20", "2026-02-13")
    show(`doc=${DOC}&view=report&date=not-a-date`)
    expect(views.reportView).toHaveBeenLastCalledWith(expect.anything(), TODAY, "last")
  })

  it("access and admin are for admins: anyone else gets the matrix", () => {
    for (const v of ["access", "admin"]) {
      expect(show(`doc=${DOC}&view=${v}`).name).toBe("matrix")
      expect(show(`doc=${DOC}&view=${v}`, true).name).toBe(v)
    }
    expect(views.accessView).toHaveBeenCalledWith(expect.objectContaining({ tag: "access" }))
    expect(views.adminView).toHaveBeenCalledWith(expect.objectContaining({ tag: "admin" }))
  })

  it("an unknown view shows the matrix as no view of the bar: not 'matrix', no past dates, no presence", () => {
    for (const v of ["nonsense", "constructor", "__proto__"]) {
      const { r, name, here } = show(`doc=${DOC}&view=${v}&asof=2026-01-01`)
      expect([r.view, name, r.asOf]).toEqual([v, "matrix", ""])
      expect(here).not.toHaveBeenCalled()
    }
  })
})

describe("as of a date", () => {
  it("applies to the matrix and country views only, and only for a real date", () => {
    expect(show(`doc=${DOC}&asof=2026-01-15`).r.asOf).toBe("2026-01-15")
    expect(show(`doc=${DOC}&view=country&c=BR&asof=2026-01-15`).r.asOf).toBe("2026-01-15")
    expect(show(`doc=${DOC}&view=tasks&asof=2026-01-15`).r.asOf).toBe("")
    expect(show(`doc=${DOC}&asof=2026-13-40`).r.asOf).toBe("")
  })

  it("the picker sets or clears asof and keeps the rest of the fragment", () => {
    const p = new URLSearchParams(`doc=${DOC}&view=country&c=BR`)
    expect(new URLSearchParams(fragmentAsOf(p, "2026-01-15")).get("asof")).toBe("2026-01-15")
    const live = new URLSearchParams(fragmentAsOf(new URLSearchParams(`doc=${DOC}&view=country&c=BR&asof=2026-01-15`), ""))
    expect(live.has("asof")).toBe(false)
    expect([live.get("doc"), live.get("view"), live.get("c")]).toEqual([DOC, "country", "BR"])
  })
})

describe("route keys: the view on screen is rebuilt only when the page changes", () => {
  const key = (f: string) => show(`doc=${DOC}&${f}`).r.key
  it("same page, same key; another country, item, date, report or view, another key", () => {
    expect(key("view=country&c=BR")).toBe(key("view=country&c=BR"))
    expect(key("view=country")).toBe(key("view=country&c=BR")) // the default country is Brazil
    const distinct = ["view=country&c=BR", "view=country&c=KE", "view=country&c=BR&i=res71", "view=country&c=BR&asof=2026-01-15",
      "view=matrix", "view=matrix&asof=2026-01-15", "view=tasks", "view=report&date=2026-02-20", "view=report&date=2026-02-20&since=last",
      "view=tasks&task=t-1", "view=feed", "view=feed&kind=task", "view=feed&track=COM5", "view=feed&country=BR", "view=feed&person=m-alice",
      "view=feed&country=BR&person=m-alice"]
    expect(new Set(distinct.map(key)).size).toBe(distinct.length)
  })
  it("parameters a view does not use do not rebuild it", () => {
    expect(key("view=tasks&c=KE&date=2026-02-20")).toBe(key("view=tasks"))
    expect(key("view=matrix&i=res71")).toBe(key("view=matrix"))
    expect(key("view=feed&c=KE&task=t-1")).toBe(key("view=feed"))
  })
})

describe("links and the nav bar", () => {
  it("a link keeps the document, drops empty parameters, and carries asof to the views that show it", () => {
    const now = new URLSearchParams(`doc=${DOC}&view=matrix&asof=2026-01-15`)
    expect(Object.fromEntries(new URLSearchParams(fragmentFor(DOC, { view: "country", c: "BR", i: "" }, now))))
      .toEqual({ doc: DOC, view: "country", c: "BR", asof: "2026-01-15" })
    expect(Object.fromEntries(new URLSearchParams(fragmentFor(DOC, { view: "tasks" }, now)))).toEqual({ doc: DOC, view: "tasks" })
    expect(new URLSearchParams(fragmentFor(DOC, { view: "matrix", asof: "" }, now)).has("asof")).toBe(false)
    expect(fragmentFor(undefined, { view: "matrix" }, new URLSearchParams())).toBe("view=matrix")
  })

  it("the bar lists the views in order, Access and Admin only for admins, never the print view", () => {
    expect(navLinks(false)).toEqual([["matrix", "Matrix"], ["country", "Country"], ["tasks", "Tasks"], ["foryou", "For you"], ["comments", "Comments"], ["documents", "Documents"],
      ["feed", "Feed"], ["recent", "Recent changes"], ["export", "Export report"], ["changes", "Offline files"]])
    expect(navLinks(true).map(([v]) => v)).toEqual(["matrix", "country", "tasks", "foryou", "comments", "documents", "feed", "recent", "export", "changes", "access", "admin"])
  })

  it("a fragment names an analysis only with a valid automerge URL", () => {
    expect(docOf(new URLSearchParams(`doc=${DOC}&view=tasks`))).toBe(DOC)
    expect(docOf(new URLSearchParams("doc=automerge:nonsense"))).toBeNull()
    expect(docOf(new URLSearchParams("view=tasks"))).toBeNull()
  })

  it("a link's token is taken out of the fragment, the rest kept", () => {
    expect(splitToken(`#doc=${DOC}&token=s3cr%26t`)).toEqual({ token: "s3cr&t", rest: new URLSearchParams({ doc: DOC }).toString() })
    expect(splitToken("#token=abc")).toEqual({ token: "abc", rest: "" })
    expect(splitToken(`#doc=${DOC}`).token).toBeNull()
  })
})
