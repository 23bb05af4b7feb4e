// The template's track order, the order every track list in the web client follows (matrix filter, tasks,
// the new-task form): template order first, then any other track by id (model/schema.ts sortedTracks).
import template from "@template"

export const TEMPLATE_TRACKS: readonly string[] = template.tracks.map(t => t.id)
