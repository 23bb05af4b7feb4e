/// <reference types="vite/client" />
declare module "@template" {
  const t: import("./model/schema").Template
  export default t
}
