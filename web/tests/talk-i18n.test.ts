// The comments' and tasks' words in another language (talk.ftl, tasks.ftl): counts take the language's
// plural forms (Arabic's six), the quick "where" choices follow the language, and English stays as it was.
import { afterEach, describe, expect, it } from "vitest"
import { setLang } from "../src/i18n"
import { countLabel } from "../src/ui/comments"
import { whereChoices } from "../src/where"
import type { Thread } from "../src/model/comments"

const threads = (open: number, urgent: number, resolved: number) => [
  ...Array.from({ length: open }, (_, i) => ({ resolved: false, urgent: i < urgent })),
  ...Array.from({ length: resolved }, () => ({ resolved: true, urgent: false })),
] as unknown as Thread[]
/** Without the bidi isolates around placeables, digits as Latin (Intl's Arabic digits vary with its data). */
const bare = (s: string) => s.replace(/[\u2068\u2069]/g, "").replace(/[\u0660-\u0669]/g, d => String(d.charCodeAt(0) - 0x660))

describe("talk and tasks in four languages", () => {
  afterEach(() => setLang("en", false))

  it("English is today's text", () => {
    expect(countLabel([])).toBe("Comments")
    expect(countLabel(threads(2, 1, 3))).toBe("Comments (2 open, 1 urgent, 3 resolved)")
    expect(countLabel(threads(1, 0, 0))).toBe("Comments (1 open)")
    expect(whereChoices(["COM5"])).toEqual(["remote", "in the hall", "in COM5"])
  })

  it("French and Spanish agree in number", () => {
    setLang("fr", false)
    expect(countLabel(threads(2, 1, 1))).toBe("Commentaires (2 ouverts, 1 urgent, 1 résolu)")
    expect(whereChoices(["COM5"])).toEqual(["à distance", "dans le hall", "en COM5"])
    setLang("es", false)
    expect(countLabel(threads(1, 0, 2))).toBe("Comentarios (1 abierto, 2 resueltos)")
  })

  it("Arabic has two, few and many", () => {
    setLang("ar", false)
    expect(bare(countLabel(threads(2, 0, 0)))).toBe("التعليقات (نقاشان مفتوحان)")
    expect(bare(countLabel(threads(3, 0, 0)))).toBe("التعليقات (3 نقاشات مفتوحة)")
    expect(bare(countLabel(threads(11, 0, 1)))).toBe("التعليقات (11 نقاشًا مفتوحًا، نقاش مغلق واحد)")
    // the bidi isolates Fluent puts around a placeable are not kept in what is sent as one's `where`
    expect(whereChoices(["COM5"])).toEqual(["عن بُعد", "في الردهة", "في COM5"])
  })
})
