/**
 * The service worker. A tab becomes "armed" when it navigates to an app link of a trusted Lanyard
 * (`{lanyard}/home/{appName}/{appId}`); for two minutes after that, each page the tab finishes
 * loading (top frame only) is shown to that Lanyard, which answers the app's sign-in once when it
 * launched that app for this browser's session and the page is on the app's origin. The form is
 * then filled in that very document, and the tab is disarmed. Other tabs and pages are never
 * reported to Lanyard.
 */
import { askForFill, originOf, trustedOrigins } from './lanyard.js';
import { fillSignInForm } from './fill.js';

/** As long as Lanyard keeps a launch's fill ticket. */
const armedForMs = 120_000;
const armKey = (tabId) => `armed:${tabId}`;

async function arm(tabId, lanyardOrigin) {
  await chrome.storage.session.set({ [armKey(tabId)]: { lanyardOrigin, until: Date.now() + armedForMs } });
}

async function disarm(tabId) {
  await chrome.storage.session.remove(armKey(tabId));
}

/** The Lanyard origin that armed the tab, while the arming lasts. */
async function armedBy(tabId) {
  const { [armKey(tabId)]: armed } = await chrome.storage.session.get(armKey(tabId));
  if (!armed) return undefined;
  if (armed.until < Date.now()) {
    await disarm(tabId);
    return undefined;
  }
  return armed.lanyardOrigin;
}

chrome.webNavigation.onBeforeNavigate.addListener(async (details) => {
  if (details.frameId !== 0) return;
  const origin = originOf(details.url);
  if (!origin || !new URL(details.url).pathname.startsWith('/home/')) return;
  if ((await trustedOrigins()).includes(origin)) await arm(details.tabId, origin);
});

chrome.webNavigation.onCompleted.addListener(async (details) => {
  if (details.frameId !== 0) return;
  const lanyardOrigin = await armedBy(details.tabId);
  const pageOrigin = originOf(details.url);
  if (!lanyardOrigin || !pageOrigin || pageOrigin === lanyardOrigin) return;
  const fill = await askForFill(lanyardOrigin, details.url);
  if (!fill) return;
  await disarm(details.tabId);
  try {
    // Only the document whose URL Lanyard checked: if the tab has moved on, nothing is injected.
    const target = details.documentId ? { tabId: details.tabId, documentIds: [details.documentId] } : { tabId: details.tabId, frameIds: [0] };
    const [result] = await chrome.scripting.executeScript({ target, func: fillSignInForm, args: [pageOrigin, fill] });
    console.info(`Lanyard sign-in on ${pageOrigin}: ${result?.result ?? 'no result'}`);
  } catch (error) {
    console.warn(`Lanyard sign-in on ${pageOrigin} could not run: ${error.message}`);
  }
});

chrome.tabs.onRemoved.addListener((tabId) => {
  disarm(tabId);
});
