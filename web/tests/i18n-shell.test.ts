// The frame and the positions in another language: the same functions the English tests pin, after a
// switch (setLang), give the catalog's words, with Arabic's plural forms, and follow the next switch.
import { afterEach, describe, expect, it } from "vitest"
import { setLang } from "../src/i18n"
import { CONFIDENCE_LABEL, STANCE_LABEL, readPosition } from "../src/model/schema"
import { navLinks } from "../src/app/routes"
import { computeStatus } from "../src/sync/status"
import { cellLabel, cellText } from "../src/ui/matrix"

const none = { stance: [], confidence: [] }
const store = { setItem() {} }

describe("switching the language", () => {
  afterEach(() => setLang("en", false, store))

  it("the nav bar's labels, the status and the value names follow the language on", () => {
    setLang("fr", false, store)
    expect(navLinks(false)[0]).toEqual(["matrix", "Matrice"])
    expect(computeStatus({ connected: true, pending: [2], inSync: [false] }).text).toBe("2 modifications à envoyer")
    expect(STANCE_LABEL.supports).toBe("Pour")
    setLang("es", false, store)
    expect(STANCE_LABEL.supports).toBe("A favor")
    expect(CONFIDENCE_LABEL.confirmed).toBe("Confirmada")
    setLang("en", false, store)
    expect(navLinks(false)[0]).toEqual(["matrix", "Matrix"])
    expect(STANCE_LABEL.supports).toBe("Supports")
  })

  it("Arabic counts take their own plural forms", () => {
    setLang("ar", false, store)
    const waiting = (n: number) => computeStatus({ connected: true, pending: [n], inSync: [false] }).text
    expect(waiting(1)).toBe("تعديل واحد بانتظار الإرسال")
    expect(waiting(2)).toBe("تعديلان بانتظار الإرسال")
    expect(waiting(3)).toMatch(/^\u2068?[3٣]\u2069? تعديلات بانتظار الإرسال$/)
    expect(waiting(11)).toMatch(/تعديلًا بانتظار الإرسال$/)
  })

  it("a matrix cell says its stance and confidence in the language on", () => {
    setLang("fr", false, store)
    const p = readPosition({ stance: "supports", confidence: "reported" })
    expect(cellLabel("Brésil", "Res 102", p, none)).toBe("Brésil, Res 102 : Pour, Rapportée")
    expect(cellText(p, none)).toBe("Pour •")
    expect(cellLabel("Brésil", "Res 102", readPosition({}), none)).toBe("Brésil, Res 102 : pas encore de position")
  })
})
