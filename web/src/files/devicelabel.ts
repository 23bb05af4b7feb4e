// A short label of this device for the references it adds ("Chrome on Android"), so others can read
// "uploading from Ana's Chrome on Android…" while the bytes are still only on that phone. Only the
// browser's family and the system: nothing that identifies the device more closely.
export function deviceLabel(userAgent: string): string {
  const ua = userAgent
  const browser =
    /EdgA?\//.test(ua) ? "Edge" :
    /SamsungBrowser\//.test(ua) ? "Samsung Internet" :
    /Firefox\/|FxiOS\//.test(ua) ? "Firefox" :
    /OPR\/|Opera/.test(ua) ? "Opera" :
    /Chrome\/|CriOS\/|Chromium\//.test(ua) ? "Chrome" :
    /Safari\//.test(ua) ? "Safari" : "Browser"
  const system =
    /Android/.test(ua) ? "Android" :
    /iPhone|iPod/.test(ua) ? "iPhone" :
    /iPad/.test(ua) ? "iPad" :
    /CrOS/.test(ua) ? "ChromeOS" :
    /Windows/.test(ua) ? "Windows" :
    /Macintosh|Mac OS X/.test(ua) ? "Mac" :
    /Linux/.test(ua) ? "Linux" : ""
  return system ? `${browser} on ${system}` : browser
}
