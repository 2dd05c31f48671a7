/** Where an agent may connect: https anywhere, plain http only to this machine (loopback). */
export function checkLanyardUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`--url ${raw} is not a URL`);
  }
  if (url.protocol === 'https:') return url;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || host.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::1';
  if (url.protocol === 'http:' && loopback) return url;
  throw new Error(`--url must be https:// (plain http is allowed only to a loopback host), not ${url.origin}`);
}
