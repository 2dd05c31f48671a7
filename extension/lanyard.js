/**
 * The Lanyard servers this extension trusts, and the one question it asks them: "is there a
 * sign-in waiting for this page?". Trusted URLs come from config.json (written by
 * `lanyard extension --url …`) and from the options page (chrome.storage.local).
 */

/** The origin of a URL, or undefined when it is not an http(s) URL. */
export function originOf(raw) {
  try {
    const url = new URL(raw);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

/** URLs an administrator packed into this copy of the extension. */
export async function packedUrls() {
  try {
    const response = await fetch(chrome.runtime.getURL('config.json'));
    if (!response.ok) return [];
    const config = await response.json();
    return Array.isArray(config.lanyardUrls) ? config.lanyardUrls.filter((u) => typeof u === 'string') : [];
  } catch {
    // The unpacked source has no config.json: the options page sets the URL then.
    return [];
  }
}

/** URLs the person added on the options page. */
export async function storedUrls() {
  const { lanyardUrls } = await chrome.storage.local.get('lanyardUrls');
  return Array.isArray(lanyardUrls) ? lanyardUrls : [];
}

/** The origins of every trusted Lanyard. */
export async function trustedOrigins() {
  const urls = [...(await packedUrls()), ...(await storedUrls())];
  return [...new Set(urls.map(originOf).filter(Boolean))];
}

/**
 * Asks `lanyardOrigin` for the sign-in waiting for `pageUrl` in this browser's Lanyard session.
 * Answers `{ fields, userName, password, extraFields }` once, or undefined.
 */
export async function askForFill(lanyardOrigin, pageUrl) {
  let response;
  try {
    response = await fetch(`${lanyardOrigin}/sso/swa/fill`, {
      method: 'POST',
      credentials: 'include',
      cache: 'no-store',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-lanyard-extension': '1' },
      body: JSON.stringify({ url: pageUrl }),
    });
  } catch {
    return undefined;
  }
  if (response.status !== 200) return undefined;
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}
