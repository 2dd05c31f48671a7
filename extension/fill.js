/**
 * The sign-in filler, injected into one document by the service worker. It must be one
 * self-contained function (chrome.scripting serialises its source). It runs in the extension's
 * isolated world, never in a subframe, and only on the origin Lanyard checked.
 *
 * `fill` is Lanyard's answer: `{ fields: { username, password, button }, userName, password,
 * extraFields: [{ field, value }] }`; each field is a CSS selector, an element id or a `name`.
 * Returns a short outcome for the worker's log; never a credential.
 */
export async function fillSignInForm(expectedOrigin, fill) {
  if (window.top !== window || location.origin !== expectedOrigin) return 'refused: wrong origin';
  const waitMs = 15_000;

  const visible = (element) => element && !element.disabled && element.getClientRects().length > 0;

  function find(field) {
    if (!field) return null;
    const candidates = [];
    try {
      candidates.push(...document.querySelectorAll(field));
    } catch {
      // Not a CSS selector: an id or a name.
    }
    const byId = document.getElementById(field);
    if (byId) candidates.push(byId);
    candidates.push(...document.getElementsByName(field));
    return candidates.find(visible) ?? null;
  }

  /** The field once a script has rendered it (or null after waitMs). */
  function waitFor(field) {
    const now = find(field);
    if (now) return Promise.resolve(now);
    return new Promise((resolve) => {
      const done = (element) => {
        observer.disconnect();
        clearInterval(poll);
        clearTimeout(timer);
        resolve(element);
      };
      const check = () => {
        const element = find(field);
        if (element) done(element);
      };
      const observer = new MutationObserver(check);
      observer.observe(document.documentElement, { childList: true, subtree: true, attributes: true });
      // Visibility can change without a mutation (styles, layout): look again now and then.
      const poll = setInterval(check, 250);
      const timer = setTimeout(() => done(null), waitMs);
    });
  }

  /** Sets a value the way typing does, so that frameworks (React, Vue, Angular) see it. */
  function setValue(element, value) {
    element.focus();
    const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(element), 'value')?.set;
    if (setter) setter.call(element, value);
    else element.value = value;
    element.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true, inputType: 'insertText' }));
    element.dispatchEvent(new Event('change', { bubbles: true }));
    element.blur();
  }

  /** Clicks the sign-in button, or submits the field's form when there is none. */
  function submit(from) {
    const button = find(fill.fields.button);
    if (button) {
      button.click();
      return true;
    }
    if (from.form) {
      from.form.requestSubmit();
      return true;
    }
    return false;
  }

  const username = await waitFor(fill.fields.username);
  if (!username) return 'gave up: no username field';
  if (location.origin !== expectedOrigin) return 'refused: wrong origin';
  setValue(username, fill.userName);
  for (const extra of fill.extraFields ?? []) {
    const element = find(extra.field);
    if (element) setValue(element, extra.value);
  }
  let password = find(fill.fields.password);
  if (!password) {
    // A two-step form: the password field comes after the username is sent ("Next").
    if (!submit(username)) return 'gave up: no way to send the username';
    password = await waitFor(fill.fields.password);
    if (!password) return 'gave up: no password field';
  }
  if (location.origin !== expectedOrigin) return 'refused: wrong origin';
  setValue(password, fill.password);
  return submit(password) ? 'submitted' : 'filled; no button to press';
}
