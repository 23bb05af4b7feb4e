// Single place that decides which automerge entry point the app uses: the "slim" builds, whose wasm is
// loaded explicitly (see main.ts), so the wasm stays a separate, cacheable file and out of the app's JS.
export * as A from "@automerge/automerge/slim"
