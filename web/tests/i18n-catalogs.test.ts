// The catalogs' quality gates: every language has every file and message English has (and no more),
// with the same attributes and no variables English does not give; every file parses without junk;
// English template names agree with the template; the shared vectors (i18n/vectors.json, also run by
// crates/model) format the same here.
import { describe, expect, it } from "vitest"
import { readFileSync } from "node:fs"
import { resolve } from "node:path"
import { parse, type Resource, Message, Term, Junk, VariableReference, Visitor } from "@fluent/syntax"
import { FluentBundle, FluentResource, FluentNumber } from "@fluent/bundle"
import { LANGUAGES, catalogFiles, chooseLanguage } from "../src/i18n"
import template from "@template"

const files = catalogFiles()
const english = files.get("en")!

class Variables extends Visitor {
  names = new Set<string>()
  visitVariableReference(node: VariableReference) { this.names.add(node.id.name) }
}

/** Every message and term of a file: id → (attributes, variables used). */
function entries(resource: Resource): Map<string, { attributes: string[]; variables: Set<string> }> {
  const out = new Map<string, { attributes: string[]; variables: Set<string> }>()
  for (const entry of resource.body) {
    if (!(entry instanceof Message || entry instanceof Term)) continue
    const v = new Variables()
    v.visit(entry)
    const id = (entry instanceof Term ? "-" : "") + entry.id.name
    out.set(id, { attributes: entry.attributes.map(a => a.id.name).sort(), variables: v.names })
  }
  return out
}

describe("the catalogs", () => {
  it("has a directory per language in i18n/languages.json, and no other", () => {
    expect([...files.keys()].sort()).toEqual(LANGUAGES.map(l => l.code).sort())
  })

  for (const { code } of LANGUAGES) {
    it(`${code}: every file parses, and holds exactly English's messages and attributes, with no variable English lacks`, () => {
      expect([...files.get(code)!.keys()].sort()).toEqual([...english.keys()].sort())
      for (const [name, text] of english) {
        const theirs = parse(files.get(code)!.get(name)!, {})
        const junk = theirs.body.filter(e => e instanceof Junk) as Junk[]
        expect(junk.map(j => `${code}/${name}: ${j.content.slice(0, 80)}`)).toEqual([])
        const ours = entries(parse(text, {}))
        const got = entries(theirs)
        expect([...got.keys()].sort(), `${code}/${name}`).toEqual([...ours.keys()].sort())
        for (const [id, e] of got) {
          const en = ours.get(id)!
          expect(e.attributes, `${code}/${name} ${id}`).toEqual(en.attributes)
          const extra = [...e.variables].filter(x => !en.variables.has(x))
          expect(extra, `${code}/${name} ${id} uses variables English does not give`).toEqual([])
        }
      }
    })
  }

  it("holds the template's English names exactly, so an untouched title is recognised", () => {
    const bundle = new FluentBundle("en", { useIsolating: false })
    bundle.addResource(new FluentResource(english.get("template.ftl")!))
    const text = (id: string) => bundle.formatPattern(bundle.getMessage(id)!.value!)
    for (const track of template.tracks) expect(text(`track-${track.id}`)).toBe(track.name)
    for (const item of template.items) expect(text(`item-${item.id}`)).toBe(item.title)
  })
})

describe("the shared vectors", () => {
  const vectors = JSON.parse(readFileSync(resolve(__dirname, "../../i18n/vectors.json"), "utf8")) as
    { lang: string; id: string; args: Record<string, string | number>; text: string }[]
  it("format here as crates/model formats them (plurals by CLDR, Latin digits in reports)", () => {
    for (const v of vectors) {
      const bundle = new FluentBundle(v.lang, { useIsolating: false })
      for (const text of files.get(v.lang)!.values()) bundle.addResource(new FluentResource(text))
      const args = Object.fromEntries(Object.entries(v.args).map(([k, x]) =>
        [k, typeof x === "number" ? new FluentNumber(x, { numberingSystem: "latn", useGrouping: false }) : x]))
      const message = bundle.getMessage(v.id)
      expect(message, `${v.lang} ${v.id}`).toBeDefined()
      expect(bundle.formatPattern(message!.value!, args), `${v.lang} ${v.id} ${JSON.stringify(v.args)}`).toBe(v.text)
    }
  })
})

describe("choosing a language", () => {
  it("takes the stored setting, else the browser's best match, else English", () => {
    expect(chooseLanguage("ar", ["fr-FR"])).toBe("ar")
    expect(chooseLanguage(null, ["fr-SN", "en"])).toBe("fr")
    expect(chooseLanguage(null, ["es-419"])).toBe("es")
    expect(chooseLanguage(null, ["ar-TN"])).toBe("ar")
    expect(chooseLanguage(null, ["de-DE"])).toBe("en")
    expect(chooseLanguage("xx", [])).toBe("en")
  })
})
