import { A } from "../src/model/am"
import { initFromTemplate, type Me, type Template } from "../src/model/schema"
import standIn from "./fixtures/template-standin.json"

export const alice: Me = { id: "m-alice", name: "Alice", org: "Article 19" }
export const bob: Me = { id: "m-bob", name: "Bob", org: "Access Now" }

export function newDoc(t: Template = standIn as Template): A.Doc<any> {
  return A.change(A.init<any>(), d => initFromTemplate(d, t))
}
export const fork = (d: A.Doc<any>) => A.clone(d)
